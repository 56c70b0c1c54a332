//! Every record both ways, cut with the engine's own deframer and handshake
//! joiner (so the transcript frames bytes exactly as the engine does): the
//! record's type and version, the handshake messages it ends (while the
//! direction is in cleartext), and its bytes. Values only: the report
//! writes them out.

use shakedown_engine::msgs::enums::{
    AlertDescription, AlertLevel, ContentType, HandshakeType, ProtocolVersion,
};
use shakedown_engine::msgs::{Deframed, Deframer, HandshakeJoiner};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    ToPeer,
    FromPeer,
}

/// How a stretch of bytes was framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Record {
        content_type: ContentType,
        version: ProtocolVersion,
    },
    /// An SSLv2-compatible ClientHello (RFC 5246 E.2), header included.
    Sslv2Hello,
    /// Bytes that never made a whole record by the end.
    Partial,
}

/// A handshake message a record completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    Plain(HandshakeType),
    /// A handshake record under the new keys: its contents are not read.
    Encrypted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    pub dir: Direction,
    /// Which of the case's connections it crossed (0, then 1 for a
    /// resumption case's second connection).
    pub connection: usize,
    pub framing: Framing,
    /// The fragment's length (for unframed bytes: all of them).
    pub length: usize,
    /// Handshake messages completed by this record (cleartext only).
    pub handshake: Vec<Message>,
    /// Sent before this direction's ChangeCipherSpec: readable as is.
    pub plain: bool,
    /// The bytes as they crossed, header included.
    pub bytes: Vec<u8>,
}

impl RecordEntry {
    pub fn content_type(&self) -> Option<ContentType> {
        match self.framing {
            Framing::Record { content_type, .. } => Some(content_type),
            _ => None,
        }
    }
}

/// One direction's reassembly state.
#[derive(Debug, Clone)]
struct Stream {
    deframer: Deframer,
    joiner: HandshakeJoiner,
    encrypted: bool,
}

impl Default for Stream {
    fn default() -> Self {
        // Either side may open with an SSLv2-compatible hello (the engine
        // as a client sends one on purpose; from a server, a first byte
        // with the high bit set is garbage either way). A log keeps every length a
        // header can declare: refusing overflow is the engine's job, and
        // it records what it refused.
        let mut deframer = Deframer::server();
        deframer.set_max_fragment(usize::from(u16::MAX));
        Self { deframer, joiner: HandshakeJoiner::new(), encrypted: false }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Transcript {
    pub records: Vec<RecordEntry>,
    /// The connection records are now noted for.
    connection: usize,
    to_peer: Stream,
    from_peer: Stream,
}

impl Transcript {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new connection of the same case starts: what follows is noted
    /// under the next connection index (the pcap writer gives each its own
    /// TCP connection). The record cutting carries on as before, so a
    /// resumed connection's records read as they always have.
    pub fn begin_connection(&mut self) {
        if !self.records.is_empty() {
            self.connection += 1;
        }
    }

    /// Notes bytes that went one way; records are cut as they complete.
    pub fn add(&mut self, dir: Direction, bytes: &[u8]) {
        let stream = match dir {
            Direction::ToPeer => &mut self.to_peer,
            Direction::FromPeer => &mut self.from_peer,
        };
        let connection = self.connection;
        stream.deframer.push(bytes);
        // The deframer fails only on an over-long length, which the
        // maximum set above rules out; a failure ends the cutting.
        while let Ok(Some(d)) = stream.deframer.pop() {
            let entry = match d {
                Deframed::Sslv2Hello(raw) => RecordEntry {
                    dir,
                    connection,
                    framing: Framing::Sslv2Hello,
                    length: raw.len(),
                    handshake: vec![Message::Plain(HandshakeType::ClientHello)],
                    plain: true,
                    bytes: raw,
                },
                Deframed::Record(r) => {
                    let plain = !stream.encrypted;
                    let mut handshake = Vec::new();
                    match (r.content_type, plain) {
                        (ContentType::Handshake, true) => {
                            stream.joiner.push(&r.fragment);
                            loop {
                                match stream.joiner.pop() {
                                    Ok(Some(m)) => handshake.push(Message::Plain(m.typ())),
                                    Ok(None) => break,
                                    // A length over the engine's limit: the
                                    // engine refuses it; the log stops joining.
                                    Err(_) => {
                                        stream.joiner = HandshakeJoiner::new();
                                        break;
                                    }
                                }
                            }
                        }
                        (ContentType::Handshake, false) => handshake.push(Message::Encrypted),
                        (ContentType::ChangeCipherSpec, _) => {
                            stream.encrypted = true;
                            stream.joiner = HandshakeJoiner::new();
                        }
                        _ => {}
                    }
                    let mut bytes = Vec::with_capacity(5 + r.fragment.len());
                    shakedown_engine::codec::Codec::encode(&r, &mut bytes);
                    RecordEntry {
                        dir,
                        connection,
                        framing: Framing::Record { content_type: r.content_type, version: r.version },
                        length: r.fragment.len(),
                        handshake,
                        plain,
                        bytes,
                    }
                }
            };
            self.records.push(entry);
        }
    }

    /// Bytes left over that never made a whole record.
    pub fn finish(&mut self) {
        for (dir, stream) in
            [(Direction::ToPeer, &mut self.to_peer), (Direction::FromPeer, &mut self.from_peer)]
        {
            if stream.deframer.has_partial() {
                let rest = stream.deframer.take_buffered();
                self.records.push(RecordEntry {
                    dir,
                    connection: self.connection,
                    framing: Framing::Partial,
                    length: rest.len(),
                    handshake: Vec::new(),
                    plain: false,
                    bytes: rest,
                });
            }
        }
    }

    /// The peer's last record, if it is an alert sent in the clear.
    pub fn last_plain_alert_from_peer(&self) -> Option<(AlertLevel, AlertDescription)> {
        let r = self.records.iter().rev().find(|r| r.dir == Direction::FromPeer)?;
        if r.content_type() != Some(ContentType::Alert) || r.length != 2 || !r.plain {
            return None;
        }
        Some((AlertLevel::from_wire(*r.bytes.get(5)?), AlertDescription::from_wire(*r.bytes.get(6)?)))
    }

    /// A text rendering, one record a line.
    pub fn render(&self) -> String {
        crate::report::transcript::render(self)
    }
}
