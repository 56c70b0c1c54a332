//! Record protection against known answers from tlslite-ng
//! (vectors/kat/record_tlslite.json, made by ci/kat/gen_record.py).
// A test crate: a wrong or missing vector field should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;

use serde_json::Value;
use shakedown_engine::crypto::provider::CryptoProvider;
use shakedown_engine::crypto::providers;
use shakedown_engine::crypto::record::{RecordError, SealTweak};
use shakedown_engine::crypto::{DirectionKeys, RandomSource};
use shakedown_engine::msgs::enums::{ContentType, ProtocolVersion};
use shakedown_engine::suites;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/kat").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn hex_field(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(v[field].as_str().unwrap_or_else(|| panic!("missing {field}"))).unwrap()
}

/// Hands out exactly the bytes it was given: the explicit IVs tlslite sent.
#[derive(Debug)]
struct Scripted(Vec<u8>);

impl RandomSource for Scripted {
    fn fill(&mut self, dest: &mut [u8]) {
        assert!(dest.len() <= self.0.len(), "sealer wanted more random bytes than the vector has");
        let rest = self.0.split_off(dest.len());
        dest.copy_from_slice(&self.0);
        self.0 = rest;
    }
}

/// Once per provider compiled in (the `openssl-provider` feature adds one).
#[test]
fn records_match_tlslite_ng() {
    for p in providers::available() {
        records_match_tlslite_ng_with(p.as_ref());
    }
}

fn records_match_tlslite_ng_with(p: &dyn CryptoProvider) {
    let doc = load("record_tlslite.json");
    assert!(doc["source"].as_str().unwrap().contains("tlslite-ng"));
    let mut valid = 0;
    let mut invalid = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        let suite = suites::by_name(group["suite"].as_str().unwrap()).unwrap();
        let version = ProtocolVersion::from_name(group["version"].as_str().unwrap()).unwrap();
        let etm = group["encryptThenMac"].as_bool().unwrap();
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let ctx = format!("{}: tcId {id} {} {version} etm={etm}", p.name(), suite.openssl_name);
            let keys = DirectionKeys {
                mac_key: hex_field(test, "macKey"),
                enc_key: hex_field(test, "encKey"),
                fixed_iv: hex_field(test, "fixedIv"),
            };
            let mut sealer = p.new_sealer(suite, version, &keys, etm).unwrap();
            let mut opener = p.new_opener(suite, version, &keys, etm).unwrap();
            let records = test["records"].as_array().unwrap();
            let is_valid = match test["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("{ctx}: result {other}"),
            };
            for (i, rec) in records.iter().enumerate() {
                let typ = ContentType::from_wire(rec["contentType"].as_u64().unwrap() as u8);
                assert_eq!(rec["seq"].as_u64().unwrap(), i as u64, "{ctx}");
                let plaintext = hex_field(rec, "plaintext");
                let fragment = hex_field(rec, "fragment");
                let refused = !is_valid && i + 1 == records.len();
                if !refused {
                    let iv = rec["explicitIv"].as_str().map(|h| hex::decode(h).unwrap());
                    let mut rng = Scripted(iv.unwrap_or_default());
                    let sealed = sealer.seal(typ, version, &plaintext, &mut rng, &SealTweak::default());
                    assert_eq!(hex::encode(&sealed), hex::encode(&fragment), "{ctx} record {i} seal");
                    assert!(rng.0.is_empty(), "{ctx}: explicit IV not used");
                }
                let opened = opener.open(typ, version, &fragment);
                if refused {
                    assert_eq!(opened, Err(RecordError::BadRecordMac), "{ctx} record {i}");
                } else {
                    assert_eq!(opened, Ok(plaintext), "{ctx} record {i} open");
                }
            }
            if is_valid {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
    }
    assert_eq!(valid + invalid, doc["numberOfTests"].as_u64().unwrap());
    // Every suite in the table, in every version it allows, is covered.
    for suite in suites::ALL_SUITES {
        for version in ProtocolVersion::SUPPORTED {
            if suite.usable_with(version) {
                let covered = doc["testGroups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|g| g["suite"] == suite.openssl_name && g["version"] == version.name().unwrap());
                assert!(covered, "no vector for {} {version}", suite.openssl_name);
            }
        }
    }
    assert!(valid >= 44 && invalid >= 44, "{valid} valid, {invalid} invalid");
}
