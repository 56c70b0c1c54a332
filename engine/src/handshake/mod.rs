//! Client and server handshake state machines: one state per awaited
//! message, each consumed by the message it awaits (rustls' shape; RFC 5246
//! 7.3 for the flow, RFC 6101 5.5 for SSL 3.0).

pub(crate) mod client;
mod keys;
pub(crate) mod server;

use std::collections::VecDeque;

use crate::codec::Codec;
use crate::crypto::RandomSource;
use crate::crypto::transcript::Transcript;
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::enums::{AlertDescription, AlertLevel, CipherSuite, ContentType, ProtocolVersion};
use crate::msgs::{Alert, ChangeCipherSpec, ClientHello, HandshakeContext, HandshakeMessage};

use crate::conn::record_layer::RecordLayer;

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
    ApplicationData(Vec<u8>),
    /// The SSL 3.0 no_certificate warning (RFC 6101 5.4.2).
    NoCertificateAlert,
}

impl Message<'_> {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Handshake { msg, .. } => msg.typ.to_string(),
            Self::Sslv2Hello { .. } => "SSLv2 client_hello".into(),
            Self::ChangeCipherSpec => "change_cipher_spec".into(),
            Self::ApplicationData(_) => "application_data".into(),
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
}

impl Context {
    pub fn decode_context(&self) -> HandshakeContext {
        HandshakeContext::new(self.version)
    }

    /// Sends one handshake message and adds it to the transcript.
    pub fn send_handshake(&mut self, msg: &HandshakeMessage) {
        let raw = msg.to_bytes();
        self.transcript.add(&raw);
        self.record.send(ContentType::Handshake, &raw, self.rng.as_mut());
    }

    /// Sends ChangeCipherSpec and switches the write side to the pending
    /// keys (RFC 5246 7.1).
    pub fn send_change_cipher_spec(&mut self) {
        self.record.send(
            ContentType::ChangeCipherSpec,
            &ChangeCipherSpec.to_bytes(),
            self.rng.as_mut(),
        );
        self.record.activate_write();
    }

    pub fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        let alert = Alert::new(level, description);
        self.record
            .send(ContentType::Alert, &alert.to_bytes(), self.rng.as_mut());
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

/// One state of a handshake, consumed by the message it handles.
pub(crate) trait State: Send + std::fmt::Debug {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error>;
}

/// The error for a message a state does not await.
pub(crate) fn unexpected(expected: &'static str, got: &Message<'_>) -> Error {
    PeerMisbehaved::UnexpectedMessage {
        expected,
        got: got.describe(),
    }
    .into()
}

/// Application data flows both ways; the handshake is over.
#[derive(Debug)]
pub(crate) struct Traffic {
    pub side: crate::crypto::Side,
}

impl State for Traffic {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        use crate::msgs::enums::HandshakeType;
        match msg {
            Message::ApplicationData(data) => {
                cx.events.push_back(Event::ApplicationData(data));
                Ok(self)
            }
            // RFC 5246 7.4.1.1 / 7.2.2: the engine does not renegotiate on
            // request; it declines with a warning, which the peer may treat
            // as fatal.
            Message::Handshake { msg, .. }
                if (self.side == crate::crypto::Side::Client && msg.typ == HandshakeType::HelloRequest)
                    || (self.side == crate::crypto::Side::Server
                        && msg.typ == HandshakeType::ClientHello) =>
            {
                if cx.version.is_ssl3() {
                    // SSL 3.0 has no no_renegotiation alert (RFC 6101 5.4.2).
                    return Err(PeerMisbehaved::RenegotiationRefused.into());
                }
                cx.send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
                Ok(self)
            }
            other => Err(unexpected("application_data", &other)),
        }
    }
}
