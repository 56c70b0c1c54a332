//! Distinguishing sequences as scenario vectors. Every one becomes a word
//! test ([`words`]): the input word itself, replayed by the runner through
//! the learner's query loop, with the reference's output word as the
//! answer due. Those the runner's knobs can also say ([`scenario`]: the
//! engine's honest handshake, as client or server, with one message left
//! out or replaced by its misbehaving twin, a fatal alert from the
//! reference; knobs.rs) become knob tests too, which the runner drives as
//! whole handshakes.

use serde_json::{Value, json};

use super::diff::Difference;
use super::knobs;
use super::session::ModelFile;
use crate::vector::ClientAuth;

/// `Alert(fatal,x)...` -> x.
fn fatal_alert(output: &str) -> Option<&str> {
    let rest = output.strip_prefix("Alert(fatal,")?;
    rest.split(')').next()
}

/// The vector file for the differences that can be expressed, and how many
/// tests it has. `peer` is the learned peer, `reference` the reference
/// (the right side of each difference). A learned server's sequences are
/// said by the engine's client knobs, a learned client's by the engine's
/// server knobs (knobs.rs).
pub fn scenario(peer: &ModelFile, found: &[Difference]) -> (Value, usize) {
    let client = peer.role == "client";
    let engine_role = if client { "server" } else { "client" };
    let mut tests: Vec<Value> = Vec::new();
    let mut seen: Vec<serde_json::Map<String, Value>> = Vec::new();
    for d in found {
        let said = match client {
            true => knobs::for_client(&d.inputs, &peer.version),
            false => knobs::for_server(&d.inputs, peer.client_auth),
        };
        let Some(said) = said else {
            continue;
        };
        let Some(alert) = d.right.last().and_then(|o| fatal_alert(o)) else {
            continue;
        };
        if seen.contains(&said.fields) {
            continue;
        }
        seen.push(said.fields.clone());
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
        put("rfc", json!(said.rfc));
        put("engine_role", json!(engine_role));
        put("versions", json!([peer.version]));
        put("suites", json!([peer.suite]));
        let group = match (client, peer.client_auth) {
            (false, ClientAuth::Request) => Some(("request", "client_auth_request")),
            (false, ClientAuth::Require) => Some(("require", "client_auth_require")),
            _ => None,
        };
        if let Some((mode, feature)) = group {
            put("peer", json!({"client_auth": mode}));
            put("requires", json!([feature]));
        }
        for (k, v) in said.fields {
            put(&k, v);
        }
        put("expect", json!([{"peer_alert": [alert]}]));
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
        "ClientHelloWrongRenegotiationInfo" => "RFC 5746 3.6, 3.7",
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
