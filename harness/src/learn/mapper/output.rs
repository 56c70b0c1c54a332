//! The server's answer to one input, abstracted: the sequence of message
//! types (handshake messages by name, ChangeCipherSpec, ApplicationData),
//! alerts with level and description, `closed`, or `silence`. Received
//! handshake messages also update the client's state (server random, its
//! key, the transcript) so later inputs are computed from them.

use shakedown_engine::codec::Codec;
use shakedown_engine::crypto::provider::RecordOpen;
use shakedown_engine::msgs::enums::{AlertDescription, AlertLevel, ContentType, HandshakeType};
use shakedown_engine::msgs::{Alert, Deframed, Deframer, HandshakeJoiner, HandshakePayload, RawHandshake};

use super::client::ClientState;

/// The learner's side of a connection as far as reading the peer goes:
/// the peer's record protection and what its messages teach.
pub trait Reader {
    /// The peer's current read protection, and whether the peer changed
    /// cipher spec with keys we could not derive.
    fn read_state(&mut self) -> (&mut Option<Box<dyn RecordOpen>>, bool);
    /// The peer's ChangeCipherSpec.
    fn peer_change_cipher_spec(&mut self);
    /// One handshake message of the peer's.
    fn peer_handshake(&mut self, raw: &RawHandshake);
    /// Whether the peer sends nothing more in one go after `t`.
    fn ends_flight(&self, t: HandshakeType) -> bool;
}

impl Reader for ClientState {
    fn read_state(&mut self) -> (&mut Option<Box<dyn RecordOpen>>, bool) {
        (&mut self.read, self.read_unknown)
    }

    fn peer_change_cipher_spec(&mut self) {
        self.server_change_cipher_spec();
    }

    /// Takes what later inputs need from a server handshake message.
    fn peer_handshake(&mut self, raw: &RawHandshake) {
        if raw.typ() != HandshakeType::HelloRequest {
            self.transcript.add(raw.raw());
        }
        let ctx = shakedown_engine::msgs::HandshakeContext::new(self.version);
        let Ok(msg) = raw.decode(ctx) else { return };
        match msg.payload {
            HandshakePayload::ServerHello(sh) => {
                self.server_random = Some(sh.random.0);
                self.negotiated = true;
            }
            HandshakePayload::Certificate(c) => {
                if let Some(leaf) = c.chain.first() {
                    self.server_key = shakedown_engine::x509::leaf_public_key(&leaf.0).ok();
                }
            }
            _ => {}
        }
    }

    fn ends_flight(&self, t: HandshakeType) -> bool {
        matches!(t, HandshakeType::ServerHelloDone | HandshakeType::Finished | HandshakeType::HelloRequest)
    }
}

pub const SILENCE: &str = "silence";

/// Turns `server_hello_done` into `ServerHelloDone`.
fn camel(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect()
}

/// Reassembly of what the server sends on one connection.
#[derive(Debug, Default)]
pub struct Incoming {
    deframer: Deframer,
    joiner: HandshakeJoiner,
    /// A fatal alert or close_notify came: the connection is over.
    pub ended: bool,
}

impl Incoming {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `bytes`, appending labels; whether a flight is complete (the
    /// last thing read ends what a server sends in one go).
    pub fn absorb<R: Reader + ?Sized>(&mut self, st: &mut R, bytes: &[u8], labels: &mut Vec<String>) -> bool {
        self.deframer.push(bytes);
        let mut flight_done = false;
        loop {
            let rec = match self.deframer.pop() {
                Ok(Some(Deframed::Record(r))) => r,
                Ok(Some(Deframed::Sslv2Hello(_))) => {
                    labels.push("SSLv2Record".into());
                    continue;
                }
                Ok(None) => return flight_done,
                Err(_) => {
                    labels.push("Garbage".into());
                    self.ended = true;
                    return true;
                }
            };
            let plain = match st.read_state() {
                (_, true) => {
                    labels.push(format!("Undecryptable({})", rec.content_type));
                    continue;
                }
                (Some(r), _) => match r.open(rec.content_type, rec.version, &rec.fragment) {
                    Ok(p) => p,
                    Err(_) => {
                        labels.push("BadRecordFromServer".into());
                        continue;
                    }
                },
                (None, _) => rec.fragment,
            };
            flight_done = self.record(st, rec.content_type, &plain, labels);
            if self.ended {
                // Whatever follows a fatal alert or close_notify (another
                // alert, say) arrives in the same read or not, by timing:
                // the answer ends at the alert.
                return true;
            }
        }
    }

    fn record<R: Reader + ?Sized>(
        &mut self,
        st: &mut R,
        typ: ContentType,
        plain: &[u8],
        labels: &mut Vec<String>,
    ) -> bool {
        match typ {
            ContentType::Handshake => {
                self.joiner.push(plain);
                let mut done = false;
                while let Ok(Some(raw)) = self.joiner.pop() {
                    let t = raw.typ();
                    labels.push(camel(t.name().unwrap_or("UnknownHandshake")));
                    st.peer_handshake(&raw);
                    done = st.ends_flight(t);
                }
                done
            }
            ContentType::ChangeCipherSpec => {
                labels.push("ChangeCipherSpec".into());
                st.peer_change_cipher_spec();
                false
            }
            ContentType::ApplicationData => {
                // Several records of data are one answer.
                if labels.last().map(String::as_str) != Some("ApplicationData") {
                    labels.push("ApplicationData".into());
                }
                true
            }
            ContentType::Alert => match Alert::from_bytes(plain) {
                Ok(a) => {
                    labels.push(format!(
                        "Alert({},{})",
                        a.level.name().unwrap_or("unknown"),
                        a.description.name().map_or_else(|| a.description.get().to_string(), str::to_owned)
                    ));
                    // RFC 5246 7.2: a fatal alert ends the connection; so
                    // does close_notify (7.2.1).
                    if a.level != AlertLevel::Warning || a.description == AlertDescription::CloseNotify {
                        self.ended = true;
                    }
                    // A warning (no_renegotiation) may be followed by more:
                    // read on for the full wait.
                    self.ended
                }
                Err(_) => {
                    labels.push("MalformedAlert".into());
                    true
                }
            },
            other => {
                labels.push(format!("Record({other})"));
                false
            }
        }
    }
}

/// The label of one step: the labels joined by `+`, `silence` when empty,
/// and `+closed` when the connection ended.
pub fn label(labels: &[String], closed: bool) -> String {
    let mut s = labels.join("+");
    if closed {
        if !s.is_empty() {
            s.push('+');
        }
        s.push_str(super::super::oracle::CLOSED);
    }
    if s.is_empty() {
        s.push_str(SILENCE);
    }
    s
}
