//! Distinguishing sequences as scenario vectors. Every one becomes a word
//! test ([`words`]): the input word itself, replayed by the runner through
//! the learner's query loop, with the reference's output word as the
//! answer due. Those the runner's knobs can also say ([`scenario`]: the
//! honest client handshake with one message left out or replaced by its
//! misbehaving twin, a fatal alert from the reference) become knob tests
//! too, which the runner drives as whole handshakes.

use serde_json::{Value, json};

use super::diff::Difference;
use super::session::ModelFile;
use crate::vector::ClientAuth;

/// The knob that turns the honest message `honest` into `sent`, with the
/// RFC section it breaks.
fn replacement(honest: &str, sent: &str) -> Option<(Value, &'static str)> {
    let flip = json!({"index": 0, "xor": 1});
    Some(match (honest, sent) {
        ("Finished", "FinishedBadVerifyData") => (json!({"corrupt_finished": flip}), "RFC 5246 7.4.9"),
        ("ClientCertificate", "EmptyCertificate") => (json!("empty_certificate"), "RFC 5246 7.4.6"),
        ("CertificateVerify", "CertificateVerifyBadSignature") => {
            (json!({"corrupt_certificate_verify": flip}), "RFC 5246 7.4.8")
        }
        ("ClientKeyExchange", "ClientKeyExchangeBadPkcs1") => {
            (json!({"pkcs1": {"block_type": 1}}), "RFC 5246 7.4.7.1")
        }
        _ => return None,
    })
}

/// The one knob that makes the engine's client send `inputs` (as far as
/// they go), if there is one.
fn knob_for(inputs: &[String], client_auth: ClientAuth) -> Option<(Value, &'static str)> {
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
    let (mut i, mut j) = (0, 0);
    let mut knob = None;
    while let Some(sent) = inputs.get(i) {
        let want = *honest.get(j)?;
        if sent == want {
            (i, j) = (i + 1, j + 1);
            continue;
        }
        if knob.is_some() {
            return None;
        }
        if let Some(k) = replacement(want, sent) {
            knob = Some(k);
            (i, j) = (i + 1, j + 1);
        } else if want == "CertificateVerify" {
            // Left out (RFC 5246 7.4.8: it follows a signing certificate).
            knob = Some((json!({"skip": "certificate_verify"}), "RFC 5246 7.4.8"));
            j += 1;
        } else {
            return None;
        }
    }
    knob
}

/// `Alert(fatal,x)...` -> x.
fn fatal_alert(output: &str) -> Option<&str> {
    let rest = output.strip_prefix("Alert(fatal,")?;
    rest.split(')').next()
}

/// The vector file for the differences that can be expressed, and how many
/// tests it has. `peer` is the learned peer, `reference` the reference
/// (the right side of each difference).
pub fn scenario(peer: &ModelFile, found: &[Difference]) -> (Value, usize) {
    let mut tests: Vec<Value> = Vec::new();
    let mut knobs_seen: Vec<Value> = Vec::new();
    // The knobs below are the engine client's: a learned client's
    // sequences are findings only.
    let found = if peer.role == "client" { &[][..] } else { found };
    for d in found {
        let Some((knob, rfc)) = knob_for(&d.inputs, peer.client_auth) else {
            continue;
        };
        let Some(alert) = d.right.last().and_then(|o| fatal_alert(o)) else {
            continue;
        };
        if knobs_seen.contains(&knob) {
            continue;
        }
        knobs_seen.push(knob.clone());
        let mut test = serde_json::Map::new();
        let mut put = |k: &str, v: Value| {
            test.insert(k.to_owned(), v);
        };
        put("id", json!(format!("learned/{}-{}", tests.len(), d.inputs.join("-").to_lowercase())));
        put(
            "description",
            json!(format!(
                "Learned: after [{}] the reference answers Alert(fatal,{alert}); {} answered {}.",
                d.inputs.join(", "),
                peer.peer,
                d.left.last().map_or("nothing", String::as_str)
            )),
        );
        put("rfc", json!(rfc));
        put("engine_role", json!("client"));
        put("versions", json!([peer.version]));
        put("suites", json!([peer.suite]));
        put("knobs", json!([knob]));
        put("expect", json!([{"peer_alert": [alert]}]));
        let group = match peer.client_auth {
            ClientAuth::Off => None,
            ClientAuth::Request => Some(("request", "client_auth_request")),
            ClientAuth::Require => Some(("require", "client_auth_require")),
        };
        if let Some((mode, feature)) = group {
            put("peer", json!({"client_auth": mode}));
            put("requires", json!([feature]));
        }
        tests.push(Value::Object(test));
    }
    let n = tests.len();
    (
        json!({
            "topic": "learned",
            "description": "Distinguishing sequences of `shakedown learn`, as the runner's knobs can replay them.",
            "tests": tests,
        }),
        n,
    )
}

/// The RFC section the last input of a word is about (both alphabets: the
/// client's symbols for learning a server, the server's for a client).
fn section(last: &str) -> &'static str {
    match last {
        "ClientHello" | "ClientHelloUnknownSuites" => "RFC 5246 7.4.1.2",
        "ClientKeyExchange" | "ClientKeyExchangeBadPkcs1" | "ClientKeyExchangeWrongVersion" => {
            "RFC 5246 7.4.7.1"
        }
        "EmptyCertificate" | "ClientCertificate" | "ClientCertificateUntrusted" => "RFC 5246 7.4.6",
        "CertificateVerify" | "CertificateVerifyBadSignature" => "RFC 5246 7.4.8",
        "ChangeCipherSpec" => "RFC 5246 7.1",
        "Finished" | "FinishedBadVerifyData" => "RFC 5246 7.4.9",
        "ApplicationDataBadMac" | "ApplicationDataBadPadding" => "RFC 5246 6.2.3.2",
        "CloseNotify" => "RFC 5246 7.2.1",
        "NoCertificate" => "RFC 6101 5.4",
        "ServerHello" | "ServerHelloUnofferedSuite" | "ServerHelloUnofferedCompression" => "RFC 5246 7.4.1.3",
        "ServerHelloUnofferedVersion" => "RFC 5246 E.1",
        "ServerHelloUnsolicitedExtension" => "RFC 5246 7.4.1.4",
        "Certificate" | "CertificateUntrusted" => "RFC 5246 7.4.2",
        "CertificateRequest" => "RFC 5246 7.4.4",
        "ServerHelloDone" => "RFC 5246 7.4.5",
        "HelloRequest" => "RFC 5246 7.4.1.1",
        // ApplicationData, and anything else: data is due only after the
        // handshake; before it, unexpected_message (7.2.2).
        _ => "RFC 5246 6.2.1",
    }
}

/// The topic (and file stem) of the word tests.
pub const WORDS_TOPIC: &str = "learned-words";

/// Every distinguishing sequence as a word test, and the tests' ids (in
/// the order of `found`). `peer` is the learned peer; each difference's
/// right side is the reference's answer, the one due.
pub fn words(peer: &ModelFile, found: &[Difference]) -> (Value, Vec<String>) {
    // The engine plays the learner's side: the client when a server was
    // learned, the server when a client was.
    let engine_role = if peer.role == "client" { "server" } else { "client" };
    let mut tests = Vec::with_capacity(found.len());
    let mut ids = Vec::with_capacity(found.len());
    for (n, d) in found.iter().enumerate() {
        let slug = d.inputs.join("-").to_lowercase();
        let id = format!("{WORDS_TOPIC}/{n:03}-{slug}");
        let last = d.inputs.last().map_or("", String::as_str);
        let mut test = serde_json::Map::new();
        let mut put = |k: &str, v: Value| {
            test.insert(k.to_owned(), v);
        };
        put("id", json!(id));
        put(
            "description",
            json!(format!(
                "Learned by `shakedown learn`: the reference {} answers [{}] with [{}]; {} answered [{}].",
                peer.role,
                d.inputs.join(", "),
                d.right.join(", "),
                peer.peer,
                d.left.join(", ")
            )),
        );
        // The order of handshake messages (7.3), and what the last input is.
        put("rfc", json!(format!("RFC 5246 7.3, {}", section(last))));
        put("engine_role", json!(engine_role));
        put("versions", json!([peer.version]));
        put("suites", json!([peer.suite]));
        let group = match (engine_role, peer.client_auth) {
            ("client", ClientAuth::Request) => Some(("request", "client_auth_request")),
            ("client", ClientAuth::Require) => Some(("require", "client_auth_require")),
            _ => None,
        };
        if let Some((mode, feature)) = group {
            put("peer", json!({"client_auth": mode}));
            put("requires", json!([feature]));
        }
        put("word", json!(d.inputs));
        put("expect", json!([{"peer_outputs": d.right}]));
        tests.push(Value::Object(test));
        ids.push(id);
    }
    (
        json!({
            "topic": WORDS_TOPIC,
            "description": "Distinguishing sequences of `shakedown learn` as learner words: each is sent \
                            through the learner's query loop and must be answered as the reference did.",
            "tests": tests,
        }),
        ids,
    )
}
