//! Known answers for the key schedule, Finished and CertificateVerify, from
//! implementations other than ours (OpenSSL's `openssl kdf` / `openssl dgst`
//! and tlslite-ng; each file and group says which). The files are written by
//! ci/kat/gen_kdf.py; this test does not run Python.

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] fns: a malformed vector must fail the test, naming file, tcId and field"
)]

use std::path::PathBuf;

use serde_json::Value;
use shakedown_engine::crypto::Side;
use shakedown_engine::crypto::finished::{
    CertificateVerifyDigest, certificate_verify_digest, verify_data, verify_data_matches,
};
use shakedown_engine::crypto::key_schedule::{extended_master_secret, key_block, master_secret};
use shakedown_engine::crypto::prf::{PrfAlgorithm, prf};
use shakedown_engine::crypto::transcript::{Transcript, running_transcript};
use shakedown_engine::msgs::enums::{HashAlgorithm, ProtocolVersion};
use shakedown_engine::suites;

fn kat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/kat")
}

/// One test case, with enough context to name it in a failure.
struct Case<'a> {
    file: &'a str,
    test: &'a Value,
}

impl Case<'_> {
    fn id(&self) -> String {
        format!("{} tcId {}", self.file, self.test["tcId"])
    }

    fn str(&self, field: &str) -> &str {
        self.test[field].as_str().unwrap_or_else(|| panic!("{}: field `{field}` is not a string", self.id()))
    }

    fn hex(&self, field: &str) -> Vec<u8> {
        hex::decode(self.str(field))
            .unwrap_or_else(|e| panic!("{}: field `{field}` is not hex: {e}", self.id()))
    }

    fn arr<const N: usize>(&self, field: &str) -> [u8; N] {
        self.hex(field)
            .try_into()
            .unwrap_or_else(|_| panic!("{}: field `{field}` is not {N} bytes", self.id()))
    }

    fn valid(&self) -> bool {
        match self.str("result") {
            "valid" => true,
            "invalid" => false,
            other => panic!("{}: unknown result `{other}`", self.id()),
        }
    }
}

fn prf_alg(name: &str) -> PrfAlgorithm {
    match name {
        "ssl3" => PrfAlgorithm::Ssl3,
        "tls1.0" | "tls1.1" => PrfAlgorithm::Tls10,
        "tls1.2-sha256" => PrfAlgorithm::Sha256,
        "tls1.2-sha384" => PrfAlgorithm::Sha384,
        other => panic!("unknown prf `{other}`"),
    }
}

fn group_prf(group: &Value, c: &Case) -> PrfAlgorithm {
    prf_alg(group["prf"].as_str().unwrap_or_else(|| panic!("{}: group without prf", c.id())))
}

fn version(name: &str) -> ProtocolVersion {
    ProtocolVersion::from_name(name).unwrap_or_else(|| panic!("unknown version `{name}`"))
}

/// Runs every test of every group in `file` through `check`, which returns
/// a description of what went wrong. Returns the number of tests run.
fn run(file: &str, failures: &mut Vec<String>, check: impl Fn(&Value, &Case) -> Option<String>) -> usize {
    let path = kat_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    for field in ["algorithm", "source", "generator"] {
        assert!(doc[field].as_str().is_some_and(|s| !s.is_empty()), "{file}: missing `{field}`");
    }
    let groups = doc["testGroups"].as_array().unwrap_or_else(|| panic!("{file}: no testGroups"));
    let mut n = 0;
    for group in groups {
        assert!(group["source"].as_str().is_some(), "{file}: group without source");
        for test in group["tests"].as_array().unwrap_or_else(|| panic!("{file}: group without tests")) {
            let case = Case { file, test };
            if let Some(why) = check(group, &case) {
                failures.push(format!("{}: {} ({why})", case.id(), test["comment"]));
            }
            n += 1;
        }
    }
    assert_eq!(
        doc["numberOfTests"].as_u64(),
        Some(n as u64),
        "{file}: numberOfTests disagrees with the tests present"
    );
    assert!(n > 0, "{file}: no tests");
    n
}

fn mismatch(what: &str, ours: &[u8], theirs: &[u8]) -> Option<String> {
    (ours != theirs).then(|| format!("{what}: ours {} expected {}", hex::encode(ours), hex::encode(theirs)))
}

fn assert_no_failures(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} known answers failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn tls_prf_matches_openssl() {
    let mut failures = Vec::new();
    run("kdf_tls_prf.json", &mut failures, |group, c| {
        let alg = group_prf(group, c);
        let len = c.test["outputLength"].as_u64().unwrap_or_else(|| panic!("{}: no outputLength", c.id()));
        let mut out = vec![0u8; usize::try_from(len).unwrap()];
        match prf(alg, &c.hex("secret"), &c.hex("label"), &c.hex("seed"), &mut out) {
            Ok(()) => mismatch("output", &out, &c.hex("output")),
            Err(e) => Some(e.to_string()),
        }
    });
    assert_no_failures(failures);
}

#[test]
fn master_secrets_match() {
    let mut failures = Vec::new();
    run("kdf_master_secret.json", &mut failures, |group, c| {
        let alg = group_prf(group, c);
        let ms = master_secret(alg, &c.hex("premaster"), &c.arr("clientRandom"), &c.arr("serverRandom"));
        mismatch("masterSecret", &ms, &c.hex("masterSecret"))
    });
    assert_no_failures(failures);
}

#[test]
fn extended_master_secrets_match() {
    let mut failures = Vec::new();
    run("kdf_extended_master_secret.json", &mut failures, |group, c| {
        let alg = group_prf(group, c);
        let mut t = Transcript::new();
        t.add(&c.hex("transcript"));
        let session_hash = t.handshake_hash(alg);
        if let Some(m) = mismatch("sessionHash", &session_hash, &c.hex("sessionHash")) {
            return Some(m);
        }
        match extended_master_secret(alg, &c.hex("premaster"), &session_hash) {
            Ok(ms) => mismatch("masterSecret", &ms, &c.hex("masterSecret")),
            Err(e) => Some(e.to_string()),
        }
    });
    assert_no_failures(failures);
}

#[test]
fn key_blocks_match_and_split_in_rfc_order() {
    let mut failures = Vec::new();
    run("kdf_key_block.json", &mut failures, |_, c| {
        let v = version(c.str("version"));
        let suite = suites::by_name(c.str("suite")).unwrap_or_else(|| panic!("{}: unknown suite", c.id()));
        let Some(alg) = PrfAlgorithm::for_suite(v, suite) else {
            return Some(format!("no PRF for {v:?}"));
        };
        let keys = match key_block(
            alg,
            &c.arr("masterSecret"),
            &c.arr("clientRandom"),
            &c.arr("serverRandom"),
            suite.key_block_layout(v),
        ) {
            Ok(k) => k,
            Err(e) => return Some(e.to_string()),
        };
        let parts: [(&str, &[u8]); 6] = [
            ("clientMacKey", &keys.client_write.mac_key),
            ("serverMacKey", &keys.server_write.mac_key),
            ("clientKey", &keys.client_write.enc_key),
            ("serverKey", &keys.server_write.enc_key),
            ("clientIv", &keys.client_write.fixed_iv),
            ("serverIv", &keys.server_write.fixed_iv),
        ];
        let joined: Vec<u8> = parts.iter().flat_map(|(_, p)| p.iter().copied()).collect();
        parts
            .iter()
            .find_map(|(name, ours)| mismatch(name, ours, &c.hex(name)))
            .or_else(|| mismatch("keyBlock", &joined, &c.hex("keyBlock")))
    });
    assert_no_failures(failures);
}

/// A transcript of `bytes` with no digest running: each is computed whole.
fn whole_transcript(bytes: &[u8]) -> Transcript {
    let mut t = Transcript::new();
    t.add(bytes);
    t
}

#[test]
fn finished_verify_data_matches_and_rejects_wrong_values() {
    let mut failures = Vec::new();
    run("finished_verify_data.json", &mut failures, |group, c| {
        let alg = group_prf(group, c);
        let sender = match c.str("sender") {
            "client" => Side::Client,
            "server" => Side::Server,
            other => panic!("{}: unknown sender `{other}`", c.id()),
        };
        // The digests running from the first byte, and computed whole.
        let running = running_transcript(alg, &c.hex("transcript"));
        let ours = verify_data(alg, &c.arr("masterSecret"), sender, &running);
        if let Some(m) = mismatch("verifyData", &ours, &c.hex("verifyData")) {
            return Some(m);
        }
        let whole = verify_data(alg, &c.arr("masterSecret"), sender, &whole_transcript(&c.hex("transcript")));
        if let Some(m) = mismatch("verifyData (whole transcript)", &whole, &c.hex("verifyData")) {
            return Some(m);
        }
        let accepted = verify_data_matches(&ours, &c.hex("received"));
        (accepted != c.valid()).then(|| format!("received value accepted={accepted}"))
    });
    assert_no_failures(failures);
}

#[test]
fn certificate_verify_digests_match() {
    let mut failures = Vec::new();
    run("certverify_digest.json", &mut failures, |_, c| {
        let v = version(c.str("version"));
        let hash = c.test["hash"]
            .as_str()
            .map(|h| HashAlgorithm::from_name(h).unwrap_or_else(|| panic!("{}: unknown hash `{h}`", c.id())));
        // As a server computes it: every hash it may need started before
        // the transcript (hashes it does not need run too; harmless).
        let mut transcript = Transcript::new();
        transcript.run_hashes(hash);
        transcript.run_prf_hashes(PrfAlgorithm::Tls10);
        transcript.add(&c.hex("transcript"));
        let got = certificate_verify_digest(v, &c.arr("masterSecret"), &transcript, hash);
        let whole = certificate_verify_digest(
            v,
            &c.arr("masterSecret"),
            &whole_transcript(&c.hex("transcript")),
            hash,
        );
        if got != whole {
            return Some(format!("running {got:?} but whole {whole:?}"));
        }
        if transcript.whole_hashes() != 0 {
            return Some("the running transcript was hashed whole".into());
        }
        match (got, c.valid()) {
            (Ok(CertificateVerifyDigest::Md5Sha1(d)), true) if hash.is_none() => {
                mismatch("digest", &d, &c.hex("digest"))
            }
            (Ok(CertificateVerifyDigest::Hashed { hash: h, digest }), true) if Some(h) == hash => {
                mismatch("digest", &digest, &c.hex("digest"))
            }
            (Err(_), false) => None,
            (other, valid) => Some(format!("valid={valid} but got {other:?}")),
        }
    });
    assert_no_failures(failures);
}

/// Real handshakes between `openssl s_server` and `s_client`: the master
/// secret (plain or extended) from the premaster, and both Finished messages
/// over the recorded transcript, as OpenSSL computed and sent them.
#[test]
fn recorded_openssl_handshakes_reproduce() {
    let mut failures = Vec::new();
    run("finished_openssl_handshakes.json", &mut failures, |_, c| {
        let v = version(c.str("version"));
        let suite = suites::by_name(c.str("suite")).unwrap_or_else(|| panic!("{}: unknown suite", c.id()));
        let Some(alg) = PrfAlgorithm::for_suite(v, suite) else {
            return Some(format!("no PRF for {v:?}"));
        };
        let msgs: Vec<(String, Vec<u8>)> = c.test["messages"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no messages", c.id()))
            .iter()
            .map(|m| {
                let raw = hex::decode(m["raw"].as_str().unwrap()).unwrap();
                (m["type"].as_str().unwrap().to_owned(), raw)
            })
            .collect();
        let position = |ty: &str| msgs.iter().position(|(t, _)| t == ty);
        // As the engine holds it: digests started once ServerHello is in
        // (the second message), catching up on the hellos.
        let transcript_before = |end: usize| {
            let mut t = Transcript::new();
            for (i, (_, raw)) in msgs[..end].iter().enumerate() {
                if i == 2 {
                    t.run_prf_hashes(alg);
                }
                t.add(raw);
            }
            t
        };
        // ClientHello / ServerHello: type(1) len(3) version(2) random(32).
        let random = |ty: &str| -> [u8; 32] { msgs[position(ty).unwrap()].1[6..38].try_into().unwrap() };
        let pms = c.hex("premaster");
        let ms = if c.test["extendedMasterSecret"].as_bool().unwrap() {
            // RFC 7627 3: the session hash covers up to ClientKeyExchange.
            let cke = position("ClientKeyExchange").unwrap();
            let session_hash = transcript_before(cke + 1).handshake_hash(alg);
            extended_master_secret(alg, &pms, &session_hash).unwrap()
        } else {
            master_secret(alg, &pms, &random("ClientHello"), &random("ServerHello"))
        };
        if let Some(m) = mismatch("masterSecret", &ms, &c.hex("masterSecret")) {
            return Some(m);
        }
        let client_fin = position("Finished").unwrap();
        let (before_client, before_server) =
            (transcript_before(client_fin), transcript_before(client_fin + 1));
        let client = verify_data(alg, &ms, Side::Client, &before_client);
        let server = verify_data(alg, &ms, Side::Server, &before_server);
        let whole = verify_data(alg, &ms, Side::Server, &whole_transcript(before_server.bytes()));
        if before_client.whole_hashes() + before_server.whole_hashes() != 0 {
            return Some("a running transcript was hashed whole".into());
        }
        mismatch("clientVerifyData", &client, &c.hex("clientVerifyData"))
            .or_else(|| mismatch("serverVerifyData", &server, &c.hex("serverVerifyData")))
            .or_else(|| mismatch("serverVerifyData (whole transcript)", &whole, &c.hex("serverVerifyData")))
    });
    assert_no_failures(failures);
}

/// Every key-schedule KAT file in vectors/kat is one this test reads, so a
/// new file cannot sit there unchecked.
#[test]
fn every_kdf_kat_file_is_checked() {
    const CHECKED: [&str; 7] = [
        "finished_openssl_handshakes.json",
        "kdf_tls_prf.json",
        "kdf_master_secret.json",
        "kdf_extended_master_secret.json",
        "kdf_key_block.json",
        "finished_verify_data.json",
        "certverify_digest.json",
    ];
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(kat_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let ours = ["kdf_", "finished_", "certverify_"].iter().any(|p| name.starts_with(p));
        if ours && name.ends_with(".json") {
            assert!(CHECKED.contains(&name.as_str()), "{name} is not read by any test");
            seen.push(name);
        }
    }
    seen.sort();
    let mut expected = CHECKED.map(String::from).to_vec();
    expected.sort();
    assert_eq!(seen, expected);
}
