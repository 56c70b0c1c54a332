//! Client and server handshake state machines: one state per awaited
//! message, each consumed by the message it awaits (rustls' shape; RFC 5246
//! 7.3 for the flow, RFC 6101 5.5 for SSL 3.0).

pub(crate) mod client;
mod emit;
mod keys;
pub(crate) mod server;

use std::collections::VecDeque;

use crate::crypto::RandomSource;
use crate::crypto::transcript::Transcript;
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::enums::{AlertDescription, AlertLevel, CipherSuite, ProtocolVersion};
use crate::msgs::{ClientHello, HandshakeContext, HandshakeMessage};

use crate::record_layer::RecordLayer;

/// What a completed handshake settled on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeSummary {
    pub version: ProtocolVersion,
    pub suite: CipherSuite,
    pub session_id: Vec<u8>,
    pub resumed: bool,
    pub extended_master_secret: bool,
    pub encrypt_then_mac: bool,
    pub secure_renegotiation: bool,
    /// The peer's certificate chain (DER, leaf first), empty if none.
    pub peer_certificates: Vec<Vec<u8>>,
    /// The session, for the client to resume later.
    pub session: crate::config::SessionData,
    /// client_random and master secret, for an NSS key log line.
    pub client_random: [u8; 32],
}

/// What the caller of a connection learns, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    HandshakeComplete(Box<HandshakeSummary>),
    ApplicationData(Vec<u8>),
    /// A warning alert other than close_notify.
    WarningAlert(AlertDescription),
    /// close_notify received (RFC 5246 7.2.1).
    PeerClosed,
}

/// One message handed to a state.
#[derive(Debug)]
pub(crate) enum Message<'a> {
    Handshake {
        msg: HandshakeMessage,
        raw: &'a [u8],
    },
    /// An SSLv2-compatible ClientHello and the bytes the transcript takes.
    Sslv2Hello {
        hello: ClientHello,
        raw: &'a [u8],
    },
    ChangeCipherSpec,
    /// The SSL 3.0 no_certificate warning (RFC 6101 5.4.2).
    NoCertificateAlert,
}

impl Message<'_> {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Handshake { msg, .. } => msg.typ.to_string(),
            Self::Sslv2Hello { .. } => "SSLv2 client_hello".into(),
            Self::ChangeCipherSpec => "change_cipher_spec".into(),
            Self::NoCertificateAlert => "no_certificate alert".into(),
        }
    }
}

/// State shared by every handshake state: the record layer, the transcript,
/// randomness and time (both passed in), and the events for the caller.
#[derive(Debug)]
pub(crate) struct Context {
    pub record: RecordLayer,
    pub transcript: Transcript,
    pub rng: Box<dyn RandomSource + Send>,
    pub provider: std::sync::Arc<dyn crate::crypto::provider::CryptoProvider>,
    pub now_unix: i64,
    pub events: VecDeque<Event>,
    /// The version messages are decoded and alerts chosen under: the
    /// negotiated one, or the hello's before that.
    pub version: ProtocolVersion,
    pub handshake_done: bool,
    /// Misbehaviour knobs of this connection.
    pub dev: crate::deviate::Deviations,
    /// Flaws of this connection (the engine playing a broken peer).
    pub flaws: crate::flaw::Flaws,
    /// Our and the peer's verify_data of the last Finished of each side,
    /// and whether that handshake was secure (RFC 5746 3.1).
    pub client_verify_data: Vec<u8>,
    pub server_verify_data: Vec<u8>,
    pub secure_renegotiation: bool,
    /// Whether the last completed handshake settled on encrypt-then-MAC
    /// (RFC 7366 3.1: a renegotiation must not drop it).
    pub encrypt_then_mac: bool,
    /// Handshakes completed on this connection (renegotiations count).
    pub completed_handshakes: u32,
    /// The session this connection completed or is resuming: what a fatal
    /// alert invalidates (RFC 5246 7.2.2).
    pub session_id: Vec<u8>,
    /// Messages held back by a `hold` knob: (release after, type, raw,
    /// what the transcript takes).
    pub held: Vec<(crate::msgs::enums::HandshakeType, crate::msgs::enums::HandshakeType, Vec<u8>, Vec<u8>)>,
    /// Field mutations that changed a message we sent, in order.
    pub applied: Vec<crate::deviate::field::FieldMutation>,
    /// Messages whose cuts, pads and field mutations undid each other: what
    /// went on the wire, and into the transcript, is the honest message.
    pub cancelled: Vec<crate::msgs::enums::HandshakeType>,
}

impl Context {
    pub fn decode_context(&self) -> HandshakeContext {
        HandshakeContext::new(self.version)
    }

    pub fn random32(&mut self) -> [u8; 32] {
        let mut r = [0u8; 32];
        self.rng.fill(&mut r);
        r
    }

    /// A hello random: gmt_unix_time then 28 random bytes (RFC 5246
    /// 7.4.1.2). The time is the caller's, truncated to 32 bits as the
    /// field is.
    pub fn hello_random(&mut self) -> [u8; 32] {
        let mut r = self.random32();
        let t = (self.now_unix as u64 as u32).to_be_bytes();
        if let Some(head) = r.get_mut(..4) {
            head.copy_from_slice(&t);
        }
        r
    }
}

/// Both sides' last step: the handshake is complete. Records what a
/// renegotiation binds to, fires the after-handshake knobs on the first
/// handshake, and reports the summary. Returns the session and whether this
/// was the connection's first handshake.
pub(crate) fn complete(
    cx: &mut Context,
    secrets: &keys::Secrets,
    session_id: Vec<u8>,
    resumed: bool,
    secure_renegotiation: bool,
    peer_certificates: Vec<Vec<u8>>,
) -> (crate::config::SessionData, bool) {
    let session = crate::config::SessionData {
        session_id: session_id.clone(),
        version: secrets.version,
        suite: secrets.suite.suite,
        master_secret: secrets.master,
        extended_master_secret: secrets.extended_master_secret,
    };
    cx.handshake_done = true;
    cx.session_id = session_id.clone();
    cx.secure_renegotiation = secure_renegotiation;
    cx.encrypt_then_mac = secrets.encrypt_then_mac;
    cx.completed_handshakes += 1;
    let first = cx.completed_handshakes == 1;
    if first {
        cx.fire(crate::deviate::Anchor::AfterHandshake);
    }
    cx.events.push_back(Event::HandshakeComplete(Box::new(HandshakeSummary {
        version: secrets.version,
        suite: secrets.suite.suite,
        session_id,
        resumed,
        extended_master_secret: secrets.extended_master_secret,
        encrypt_then_mac: secrets.encrypt_then_mac,
        secure_renegotiation,
        peer_certificates,
        session: session.clone(),
        client_random: secrets.client_random,
    })));
    (session, first)
}

/// One state of a handshake, consumed by the message it handles.
pub(crate) trait State: Send + std::fmt::Debug {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error>;

    /// Whether a handshake is under way (every state but Traffic).
    fn negotiating(&self) -> bool {
        true
    }
}

/// The error for a message a state does not await.
pub(crate) fn unexpected(expected: &'static str, got: &Message<'_>) -> Error {
    PeerMisbehaved::UnexpectedMessage { expected, got: got.describe() }.into()
}

/// What a renegotiation binds to (RFC 5746 3.1): the previous handshake's
/// verify_data of both sides, and whether it was secure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Renegotiation {
    pub client_verify_data: Vec<u8>,
    pub server_verify_data: Vec<u8>,
    pub secure: bool,
    /// The connection uses encrypt-then-MAC (RFC 7366 3.1).
    pub encrypt_then_mac: bool,
}

impl Renegotiation {
    /// What the ServerHello's renegotiation_info carries (RFC 5746 3.5).
    pub fn server_binding(&self) -> Vec<u8> {
        [self.client_verify_data.as_slice(), self.server_verify_data.as_slice()].concat()
    }
}

impl Context {
    /// Set when a handshake is done: the next one is a renegotiation.
    pub fn renegotiation(&self) -> Option<Renegotiation> {
        self.handshake_done.then(|| Renegotiation {
            client_verify_data: self.client_verify_data.clone(),
            server_verify_data: self.server_verify_data.clone(),
            secure: self.secure_renegotiation,
            encrypt_then_mac: self.encrypt_then_mac,
        })
    }

    /// Starts the transcript of a new handshake on this connection.
    pub fn reset_transcript(&mut self) {
        self.transcript = Transcript::new();
    }
}

/// Application data flows both ways; the handshake is over.
#[derive(Debug)]
pub(crate) struct Traffic {
    pub client: Option<std::sync::Arc<crate::config::ClientConfig>>,
    pub server: Option<std::sync::Arc<crate::config::ServerConfig>>,
}

impl State for Traffic {
    fn negotiating(&self) -> bool {
        false
    }

    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        use crate::msgs::enums::HandshakeType;
        match msg {
            Message::Handshake { msg, raw } => {
                let wanted = match (&self.client, &self.server) {
                    // RFC 5746 4.2: a client SHOULD NOT renegotiate a
                    // connection whose server did not signal RFC 5746;
                    // allow_renegotiation covers secure renegotiation only.
                    (Some(c), _) if msg.typ == HandshakeType::HelloRequest => {
                        c.allow_renegotiation && cx.secure_renegotiation
                    }
                    (_, Some(s)) if msg.typ == HandshakeType::ClientHello => {
                        s.allow_renegotiation || s.deviations.has(&crate::deviate::Knob::Renegotiate)
                    }
                    _ => return Err(unexpected("application_data", &Message::Handshake { msg, raw })),
                };
                if wanted {
                    return match (self.client, self.server) {
                        (Some(c), _) => client::start(cx, c),
                        (_, Some(s)) => server::start(s).handle(cx, Message::Handshake { msg, raw }),
                        _ => Err(Error::Internal("traffic state without a config")),
                    };
                }
                // RFC 5246 7.4.1.1 / 7.2.2: declining is a warning, which
                // the peer may treat as fatal. SSL 3.0 has no
                // no_renegotiation alert (RFC 6101 5.4.2).
                if cx.version.is_ssl3() {
                    return Err(PeerMisbehaved::RenegotiationRefused.into());
                }
                cx.send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
                Ok(self)
            }
            other => Err(unexpected("application_data", &other)),
        }
    }
}
