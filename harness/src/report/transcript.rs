//! A transcript as text (one record a line) and as the JSON report's
//! records.

use serde::Serialize;

use crate::run::transcript::{Direction, Framing, Message, RecordEntry, Transcript};

/// One record as the JSON report writes it.
#[derive(Debug, Serialize)]
pub struct RecordJson {
    dir: &'static str,
    content_type: String,
    version: String,
    length: usize,
    /// Handshake messages completed by this record (cleartext only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    handshake: Vec<String>,
    /// Bytes that are not a TLS record (an SSLv2 hello, a cut record).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unframed: bool,
    plain: bool,
    hex: String,
}

fn arrow(dir: Direction) -> &'static str {
    match dir {
        Direction::ToPeer => "engine->peer",
        Direction::FromPeer => "peer->engine",
    }
}

/// A handshake message's name in a transcript.
pub fn message(m: &Message) -> String {
    match m {
        Message::Plain(t) => t.to_string(),
        Message::Encrypted => "encrypted".into(),
    }
}

/// The content type column of bytes that are not a record.
pub fn framing_name(f: Framing) -> String {
    framing(f).0
}

/// The content type and version columns.
fn framing(f: Framing) -> (String, String) {
    match f {
        Framing::Record { content_type, version } => (content_type.to_string(), version.to_string()),
        Framing::Sslv2Hello => ("sslv2_hello".into(), String::new()),
        Framing::Partial => ("partial".into(), String::new()),
    }
}

impl RecordJson {
    pub fn of(r: &RecordEntry) -> Self {
        let (content_type, version) = framing(r.framing);
        Self {
            dir: arrow(r.dir),
            content_type,
            version,
            length: r.length,
            handshake: r.handshake.iter().map(message).collect(),
            unframed: !matches!(r.framing, Framing::Record { .. }),
            plain: r.plain,
            hex: hex::encode(&r.bytes),
        }
    }
}

/// A text rendering, one record a line.
pub fn render(t: &Transcript) -> String {
    let mut s = String::new();
    for r in &t.records {
        let arrow = match r.dir {
            Direction::ToPeer => "engine -> peer",
            Direction::FromPeer => "peer -> engine",
        };
        let hs = match r.handshake.is_empty() {
            true => String::new(),
            false => format!(" [{}]", r.handshake.iter().map(message).collect::<Vec<_>>().join(", ")),
        };
        let (content_type, version) = framing(r.framing);
        s.push_str(&format!(
            "{arrow} {content_type} {version} len={}{hs} {}\n",
            r.length,
            hex::encode(&r.bytes)
        ));
    }
    s
}
