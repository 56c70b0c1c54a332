//! The Marvin / Bleichenbacher classes: ClientKeyExchange messages whose
//! RSA ciphertexts differ only in what the PKCS#1 v1.5 block (RFC 8017
//! 7.2.1) and the premaster inside it (RFC 5246 7.4.7.1) look like. All are
//! generated once, before timing starts, for the server's key; the same
//! bytes go out in every sample of a class (tlsfuzzer's pre-generated
//! ciphertexts). A correct server answers every class the same way, at
//! the same time: it fails at Finished, since no class's premaster is the
//! one the client's Finished was computed with.

use shakedown_engine::crypto::keys::RsaPublicKey as PublicKey;
use shakedown_engine::crypto::rsa_kx::{PREMASTER_LEN, Pkcs1Tweak, encrypt_premaster};
use shakedown_engine::crypto::{RandomSource, SeededRandom};
use shakedown_engine::msgs::enums::ProtocolVersion;

/// One class: a name, what is wrong, and the ClientKeyExchange body.
#[derive(Debug, Clone)]
pub struct MarvinClass {
    pub name: &'static str,
    pub what: &'static str,
    /// Set when the class differs in something public (the ciphertext's
    /// length), which a server may act on before any secret is touched.
    pub public: Option<&'static str>,
    /// The handshake message body: the encrypted premaster, with its
    /// 2-byte length in TLS and bare in SSL 3.0 (RFC 6101 5.6.7.1).
    pub body: Vec<u8>,
}

/// How one class is made.
struct Recipe {
    name: &'static str,
    what: &'static str,
    tweak: Pkcs1Tweak,
    premaster_version: Option<ProtocolVersion>,
    premaster_len: usize,
    ciphertext_delta: isize,
}

fn recipes() -> Vec<Recipe> {
    let r = |name, what, tweak| Recipe {
        name,
        what,
        tweak,
        premaster_version: None,
        premaster_len: PREMASTER_LEN,
        ciphertext_delta: 0,
    };
    let t = Pkcs1Tweak::default;
    vec![
        r("valid", "well-formed block, 48-byte premaster", t()),
        r(
            "wrong_first_byte",
            "block starts 0x01 instead of 0x00",
            Pkcs1Tweak { first_byte: Some(0x01), ..t() },
        ),
        r(
            "wrong_block_type",
            "block type 0x01 instead of 0x02",
            Pkcs1Tweak { block_type: Some(0x01), ..t() },
        ),
        r("no_separator", "no zero byte ends the padding", Pkcs1Tweak { no_separator: true, ..t() }),
        r(
            "separator_too_early",
            "zero after 4 padding bytes (8 is the minimum)",
            Pkcs1Tweak { short_padding: Some(4), ..t() },
        ),
        Recipe {
            premaster_version: Some(ProtocolVersion::Tls10),
            ..r("wrong_premaster_version", "premaster starts 03 01", t())
        },
        Recipe { premaster_len: PREMASTER_LEN - 1, ..r("premaster_too_short", "47-byte premaster", t()) },
        Recipe { premaster_len: PREMASTER_LEN + 1, ..r("premaster_too_long", "49-byte premaster", t()) },
        Recipe {
            ciphertext_delta: -1,
            ..r("ciphertext_too_short", "ciphertext one byte shorter than the modulus", t())
        },
        r("valid_control", "a second well-formed block: must not differ from valid", t()),
    ]
}

/// Every class for `key`, with the premaster version the ClientHello
/// offers. `seed` fixes the premasters and padding bytes.
pub fn classes(
    key: &PublicKey,
    client_version: ProtocolVersion,
    seed: u64,
) -> Result<Vec<MarvinClass>, String> {
    let mut rng = SeededRandom::from_seed(seed);
    recipes()
        .into_iter()
        .map(|r| {
            let mut premaster = vec![0u8; r.premaster_len];
            rng.fill(&mut premaster);
            let version = r.premaster_version.unwrap_or(client_version);
            for (b, v) in premaster.iter_mut().zip(version.get().to_be_bytes()) {
                *b = v;
            }
            let mut ct = encrypt_premaster(key, &premaster, &mut rng, &r.tweak)
                .map_err(|e| format!("class {}: {e}", r.name))?;
            let len = ct.len().saturating_add_signed(r.ciphertext_delta);
            ct.resize(len, 0x42);
            Ok(MarvinClass {
                name: r.name,
                what: r.what,
                public: (r.ciphertext_delta != 0).then_some(
                    "its length is public: RFC 8017 7.2.2 step 1 rejects it before the RSA operation",
                ),
                body: frame(&ct, client_version),
            })
        })
        .collect()
}

/// RFC 5246 7.4.7.1: `opaque EncryptedPreMasterSecret<0..2^16-1>`; SSL 3.0
/// sends the bare ciphertext.
fn frame(ct: &[u8], version: ProtocolVersion) -> Vec<u8> {
    if version.is_ssl3() {
        return ct.to_vec();
    }
    let len = u16::try_from(ct.len()).unwrap_or(u16::MAX);
    [len.to_be_bytes().as_slice(), ct].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shakedown_engine::crypto::rsa_kx::decrypt_premaster;

    fn key() -> shakedown_engine::crypto::keys::RsaPrivateKey {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/certs/server.key.pem");
        shakedown_engine::x509::load_private_key_pem(&std::fs::read_to_string(root).unwrap()).unwrap()
    }

    #[test]
    fn only_the_valid_classes_decrypt_to_a_stable_premaster() {
        let key = key();
        let v = ProtocolVersion::Tls12;
        let classes = classes(key.as_public_key(), v, 9).unwrap();
        assert_eq!(classes.len(), 10);
        let mut rng = SeededRandom::from_seed(1);
        for c in &classes {
            let ct = c.body.get(2..).unwrap();
            let a = decrypt_premaster(&key, ct, v, &mut rng);
            let b = decrypt_premaster(&key, ct, v, &mut rng);
            // A block the server accepts gives the same premaster twice;
            // a rejected one a fresh random premaster each time. The wrong
            // premaster version is accepted: the server does not compare it.
            let accepted = a == b;
            let expect = matches!(c.name, "valid" | "valid_control" | "wrong_premaster_version");
            assert_eq!(accepted, expect, "{}: {}", c.name, c.what);
        }
        let short = classes.iter().find(|c| c.name == "ciphertext_too_short").unwrap();
        assert_eq!(short.body.len(), 2 + 255);
        assert_eq!(short.body[..2], [0, 255]);
    }

    #[test]
    fn same_seed_same_bytes() {
        let key = key();
        let a = classes(key.as_public_key(), ProtocolVersion::Tls12, 3).unwrap();
        let b = classes(key.as_public_key(), ProtocolVersion::Tls12, 3).unwrap();
        assert!(a.iter().zip(&b).all(|(x, y)| x.body == y.body));
    }
}
