//! Which distinguishing sequences the runner's knobs can say: the engine's
//! honest handshake as the learner's side would send it, with one message
//! replaced by its misbehaving twin or left out. For a learned server the
//! engine is the client (ClientHello .. Finished); for a learned client it
//! is the server (ServerHello .. Finished).

use serde_json::{Map, Value, json};

use crate::vector::ClientAuth;

/// What a knob test needs so that the engine sends a word: the test's
/// `knobs` and `engine` fields (either may be absent), and the RFC section
/// the misbehaviour breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    pub fields: Map<String, Value>,
    pub rfc: &'static str,
}

impl Said {
    fn knob(knob: Value, rfc: &'static str) -> Self {
        let mut fields = Map::new();
        fields.insert("knobs".into(), json!([knob]));
        Self { fields, rfc }
    }

    fn engine(settings: Value, rfc: &'static str) -> Self {
        let mut fields = Map::new();
        fields.insert("engine".into(), settings);
        Self { fields, rfc }
    }
}

/// The knob that turns the client's honest message `honest` into `sent`.
fn client_replacement(honest: &str, sent: &str) -> Option<Said> {
    let flip = json!({"index": 0, "xor": 1});
    Some(match (honest, sent) {
        ("Finished", "FinishedBadVerifyData") => {
            Said::knob(json!({"corrupt_finished": flip}), "RFC 5246 7.4.9")
        }
        ("ClientCertificate", "EmptyCertificate") => Said::knob(json!("empty_certificate"), "RFC 5246 7.4.6"),
        ("CertificateVerify", "CertificateVerifyBadSignature") => {
            Said::knob(json!({"corrupt_certificate_verify": flip}), "RFC 5246 7.4.8")
        }
        ("ClientKeyExchange", "ClientKeyExchangeBadPkcs1") => {
            Said::knob(json!({"pkcs1": {"block_type": 1}}), "RFC 5246 7.4.7.1")
        }
        _ => return None,
    })
}

/// The version one above `version`, by the vectors' names: what
/// ServerHelloUnofferedVersion sends to a client offering `version`.
fn one_above(version: &str) -> Option<&'static str> {
    Some(match version {
        "ssl3" => "tls1.0",
        "tls1.0" => "tls1.1",
        "tls1.1" => "tls1.2",
        "tls1.2" => "tls1.3",
        _ => return None,
    })
}

/// The knob (or engine setting) that turns the server's honest message
/// `honest` into `sent`, as learn/mapper/server.rs builds it.
fn server_replacement(honest: &str, sent: &str, version: &str) -> Option<Said> {
    Some(match (honest, sent) {
        ("Finished", "FinishedBadVerifyData") => {
            Said::knob(json!({"corrupt_finished": {"index": 0, "xor": 1}}), "RFC 5246 7.4.9")
        }
        ("ServerHello", "ServerHelloUnofferedVersion") => {
            Said::knob(json!({"server_hello_version": one_above(version)?}), "RFC 5246 E.1")
        }
        // The engine's client offers null compression only, so the
        // mapper's choice is deflate.
        ("ServerHello", "ServerHelloUnofferedCompression") => {
            Said::knob(json!({"select_compression": "deflate"}), "RFC 5246 7.4.1.3")
        }
        ("ServerHello", "ServerHelloUnsolicitedExtension") => Said::knob(
            json!({"add_extension": {"typ": super::mapper::server::UNSOLICITED_EXTENSION, "body": {"hex": ""}}}),
            "RFC 5246 7.4.1.4",
        ),
        ("ServerHello", "ServerHelloUnofferedSuite") => {
            Said::knob(json!({"select_suite": super::mapper::record::GREASE_SUITE}), "RFC 5246 7.4.1.3")
        }
        ("Certificate", "CertificateUntrusted") => {
            Said::engine(json!({"identity": "untrusted-server"}), "RFC 5246 7.4.2")
        }
        _ => return None,
    })
}

/// The one difference from `honest` that makes it `inputs` (as far as they
/// go): a replacement, or a message the `skip` rule lets be left out.
fn one_change(
    inputs: &[String],
    honest: &[&str],
    replace: impl Fn(&str, &str) -> Option<Said>,
    skip: impl Fn(&str) -> Option<Said>,
) -> Option<Said> {
    let (mut i, mut j) = (0, 0);
    let mut said = None;
    while let Some(sent) = inputs.get(i) {
        let want = *honest.get(j)?;
        if sent == want {
            (i, j) = (i + 1, j + 1);
            continue;
        }
        if said.is_some() {
            return None;
        }
        if let Some(s) = replace(want, sent) {
            said = Some(s);
            (i, j) = (i + 1, j + 1);
        } else if let Some(s) = skip(want) {
            said = Some(s);
            j += 1;
        } else {
            return None;
        }
    }
    said
}

/// For a learned server: the engine's client sends `inputs`.
pub fn for_server(inputs: &[String], client_auth: ClientAuth) -> Option<Said> {
    let auth = client_auth != ClientAuth::Off;
    let mut honest = vec!["ClientHello"];
    if auth {
        honest.push("ClientCertificate");
    }
    honest.push("ClientKeyExchange");
    if auth {
        honest.push("CertificateVerify");
    }
    honest.extend(["ChangeCipherSpec", "Finished"]);
    one_change(inputs, &honest, client_replacement, |want| {
        // Left out (RFC 5246 7.4.8: it follows a signing certificate).
        (want == "CertificateVerify")
            .then(|| Said::knob(json!({"skip": "certificate_verify"}), "RFC 5246 7.4.8"))
    })
}

/// For a learned client: the engine's server sends `inputs` to a client
/// offering `version`. A CertificateRequest in the word makes the engine
/// request a certificate (`engine.client_auth`).
pub fn for_client(inputs: &[String], version: &str) -> Option<Said> {
    let request = inputs.iter().any(|s| s == "CertificateRequest");
    let mut honest = vec!["ServerHello", "Certificate"];
    if request {
        honest.push("CertificateRequest");
    }
    honest.extend(["ServerHelloDone", "ChangeCipherSpec", "Finished"]);
    let mut said = one_change(
        inputs,
        &honest,
        |want, sent| server_replacement(want, sent, version),
        |want| match want {
            // A Finished without the ChangeCipherSpec before it (RFC 5246
            // 7.4.9: Finished immediately follows it).
            "ChangeCipherSpec" => Some(Said::knob(json!("ccs_never"), "RFC 5246 7.4.9")),
            // RSA key exchange needs the server's certificate (7.4.2).
            "Certificate" => Some(Said::knob(json!({"skip": "certificate"}), "RFC 5246 7.4.2")),
            _ => None,
        },
    )?;
    if request {
        let engine = said.fields.entry("engine").or_insert_with(|| json!({}));
        if let Some(e) = engine.as_object_mut() {
            e.insert("client_auth".into(), json!("request"));
        }
    }
    Some(said)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_server_word_is_said_by_one_replacement_or_a_skipped_certificate_verify() {
        let bad = words(&["ClientHello", "ClientKeyExchange", "ChangeCipherSpec", "FinishedBadVerifyData"]);
        let s = for_server(&bad, ClientAuth::Off).unwrap();
        assert_eq!(s.fields["knobs"], json!([{"corrupt_finished": {"index": 0, "xor": 1}}]));
        let skip = words(&["ClientHello", "ClientCertificate", "ClientKeyExchange", "ChangeCipherSpec"]);
        let s = for_server(&skip, ClientAuth::Request).unwrap();
        assert_eq!(s.fields["knobs"], json!([{"skip": "certificate_verify"}]));
        // Two changes, or an order no knob says: none.
        assert!(
            for_server(&words(&["ClientHello", "ChangeCipherSpec", "Finished"]), ClientAuth::Off).is_none()
        );
        assert!(for_server(&words(&["CloseNotify"]), ClientAuth::Off).is_none());
    }

    #[test]
    fn a_client_word_is_said_by_the_engine_server_knobs() {
        let s = for_client(&words(&["ServerHelloUnofferedVersion"]), "tls1.2").unwrap();
        assert_eq!(s.fields["knobs"], json!([{"server_hello_version": "tls1.3"}]));
        assert_eq!(s.rfc, "RFC 5246 E.1");
        let s = for_client(&words(&["ServerHello", "CertificateUntrusted"]), "tls1.0").unwrap();
        assert_eq!(s.fields["engine"], json!({"identity": "untrusted-server"}));
        assert!(!s.fields.contains_key("knobs"));
        let s = for_client(&words(&["ServerHello", "Certificate", "ServerHelloDone", "Finished"]), "tls1.2")
            .unwrap();
        assert_eq!(s.fields["knobs"], json!(["ccs_never"]));
        let w = words(&[
            "ServerHello",
            "Certificate",
            "CertificateRequest",
            "ServerHelloDone",
            "ChangeCipherSpec",
            "FinishedBadVerifyData",
        ]);
        let s = for_client(&w, "tls1.2").unwrap();
        assert_eq!(s.fields["engine"], json!({"client_auth": "request"}));
        assert_eq!(s.fields["knobs"], json!([{"corrupt_finished": {"index": 0, "xor": 1}}]));
        // Two changes (no ChangeCipherSpec and a bad Finished), or symbols
        // the honest server never sends in that place: none.
        let two = words(&["ServerHello", "Certificate", "ServerHelloDone", "FinishedBadVerifyData"]);
        assert!(for_client(&two, "tls1.2").is_none());
        assert!(for_client(&words(&["HelloRequest"]), "tls1.2").is_none());
        assert!(for_client(&words(&["ServerHello", "ServerHello"]), "tls1.2").is_none());
    }
}
