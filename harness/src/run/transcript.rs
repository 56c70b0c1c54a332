//! Every record both ways: content type, version, length, the handshake
//! messages it ends (while the direction is in cleartext), and its bytes.

use serde::Serialize;
use shakedown_engine::msgs::enums::{
    AlertDescription, AlertLevel, ContentType, HandshakeType, ProtocolVersion,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    #[serde(rename = "engine->peer")]
    ToPeer,
    #[serde(rename = "peer->engine")]
    FromPeer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordEntry {
    pub dir: Direction,
    pub content_type: String,
    pub version: String,
    pub length: usize,
    /// Handshake messages completed by this record (cleartext only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub handshake: Vec<String>,
    /// Bytes that are not a TLS record (an SSLv2 hello, garbage).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unframed: bool,
    /// Sent before this direction's ChangeCipherSpec: readable as is.
    pub plain: bool,
    pub hex: String,
}

/// One direction's reassembly state.
#[derive(Debug, Clone, Default)]
struct Stream {
    buf: Vec<u8>,
    encrypted: bool,
    handshake: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct Transcript {
    pub records: Vec<RecordEntry>,
    to_peer: Stream,
    from_peer: Stream,
}

impl Transcript {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes bytes that went one way; records are cut as they complete.
    pub fn add(&mut self, dir: Direction, bytes: &[u8]) {
        let stream = match dir {
            Direction::ToPeer => &mut self.to_peer,
            Direction::FromPeer => &mut self.from_peer,
        };
        stream.buf.extend_from_slice(bytes);
        while let Some(header) = stream.buf.get(..5) {
            let typ = header.first().copied().unwrap_or(0);
            let known = (20..=24).contains(&typ);
            let len = usize::from(u16::from_be_bytes([
                header.get(3).copied().unwrap_or(0),
                header.get(4).copied().unwrap_or(0),
            ]));
            if !known {
                // Not a record: log the rest as it is.
                let rest = std::mem::take(&mut stream.buf);
                self.records.push(RecordEntry {
                    dir,
                    content_type: "unframed".into(),
                    version: String::new(),
                    length: rest.len(),
                    handshake: Vec::new(),
                    unframed: true,
                    plain: false,
                    hex: hex::encode(&rest),
                });
                break;
            }
            if stream.buf.len() < 5 + len {
                break;
            }
            let record: Vec<u8> = stream.buf.drain(..5 + len).collect();
            let version = ProtocolVersion::from_wire(u16::from_be_bytes([
                record.get(1).copied().unwrap_or(0),
                record.get(2).copied().unwrap_or(0),
            ]));
            let content_type = ContentType::from_wire(typ);
            let mut handshake = Vec::new();
            let plain = !stream.encrypted;
            let body = record.get(5..).unwrap_or_default();
            if content_type == ContentType::Handshake && !stream.encrypted {
                stream.handshake.extend_from_slice(body);
                while let Some(h) = stream.handshake.get(..4) {
                    let mlen = usize::from(h.get(1).copied().unwrap_or(0)) << 16
                        | usize::from(h.get(2).copied().unwrap_or(0)) << 8
                        | usize::from(h.get(3).copied().unwrap_or(0));
                    if stream.handshake.len() < 4 + mlen {
                        break;
                    }
                    let t = HandshakeType::from_wire(h.first().copied().unwrap_or(0));
                    handshake.push(t.to_string());
                    stream.handshake.drain(..4 + mlen);
                }
            } else if content_type == ContentType::Handshake {
                handshake.push("encrypted".into());
            }
            if content_type == ContentType::ChangeCipherSpec {
                stream.encrypted = true;
                stream.handshake.clear();
            }
            self.records.push(RecordEntry {
                dir,
                content_type: content_type.to_string(),
                version: version.to_string(),
                length: len,
                handshake,
                unframed: false,
                plain,
                hex: hex::encode(&record),
            });
        }
    }

    /// Bytes left over that never made a whole record.
    pub fn finish(&mut self) {
        for (dir, stream) in
            [(Direction::ToPeer, &mut self.to_peer), (Direction::FromPeer, &mut self.from_peer)]
        {
            if !stream.buf.is_empty() {
                let rest = std::mem::take(&mut stream.buf);
                self.records.push(RecordEntry {
                    dir,
                    content_type: "partial".into(),
                    version: String::new(),
                    length: rest.len(),
                    handshake: Vec::new(),
                    unframed: true,
                    plain: false,
                    hex: hex::encode(&rest),
                });
            }
        }
    }

    /// The peer's last record, if it is an alert sent in the clear.
    pub fn last_plain_alert_from_peer(&self) -> Option<(AlertLevel, AlertDescription)> {
        let r = self.records.iter().rev().find(|r| r.dir == Direction::FromPeer)?;
        if r.content_type != ContentType::Alert.to_string() || r.length != 2 || !r.plain {
            return None;
        }
        let bytes = hex::decode(&r.hex).ok()?;
        Some((AlertLevel::from_wire(*bytes.get(5)?), AlertDescription::from_wire(*bytes.get(6)?)))
    }

    /// A text rendering, one record a line.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for r in &self.records {
            let arrow = match r.dir {
                Direction::ToPeer => "engine -> peer",
                Direction::FromPeer => "peer -> engine",
            };
            let hs = match r.handshake.is_empty() {
                true => String::new(),
                false => format!(" [{}]", r.handshake.join(", ")),
            };
            s.push_str(&format!("{arrow} {} {} len={}{hs} {}\n", r.content_type, r.version, r.length, r.hex));
        }
        s
    }
}
