//! The sans-IO connection. Feed it received bytes, take the bytes it wants
//! sent, and read its events; it never touches a socket, a clock or a
//! global RNG.
//!
//! ```text
//! let mut c = Connection::client(config, rng, now_unix)?;
//! loop {
//!     send(c.take_output());
//!     c.feed(&recv())?;              // Err: a fatal alert is queued in take_output()
//!     while let Some(ev) = c.next_event() { ... }
//! }
//! ```

use std::collections::VecDeque;
use std::sync::Arc;

use crate::codec::Codec;
use crate::config::{ClientConfig, ServerConfig};
use crate::crypto::provider::CryptoProvider;
use crate::crypto::transcript::Transcript;
use crate::crypto::{RandomSource, Side};
use crate::deviate::Deviations;
use crate::error::{Error, PeerMisbehaved};
use crate::handshake::{self, Context, Event, Message, State};
use crate::msgs::enums::{AlertDescription, AlertLevel, ContentType, HandshakeType, ProtocolVersion};
use crate::msgs::{Alert, ChangeCipherSpec, HandshakeJoiner, Sslv2ClientHello};

use crate::record_layer::{MAX_WARNING_ALERTS_IN_A_ROW, Received, RecordLayer};

mod step;

pub use crate::handshake::{Event as ConnectionEvent, HandshakeSummary};
pub use step::{Incoming, Step};

/// One connection, either side.
#[derive(Debug)]
pub struct Connection {
    side: Side,
    cx: Context,
    joiner: HandshakeJoiner,
    state: Option<Box<dyn State>>,
    error: Option<Error>,
    sent_close: bool,
    peer_closed: bool,
    /// A fatal alert was sent or received: the session is no longer
    /// resumable (RFC 5246 7.2.2).
    fatal_alert: bool,
    /// A server's cache, to forget the session in when that happens.
    session_cache: Option<crate::config::SessionCache>,
}

impl Connection {
    /// A client; the ClientHello is queued at once.
    pub fn client(
        config: Arc<ClientConfig>,
        rng: Box<dyn RandomSource + Send>,
        now_unix: i64,
    ) -> Result<Self, Error> {
        // The first ClientHello goes in a TLS 1.0 record (or SSL 3.0 for an
        // SSL 3.0-only client): old servers reject higher record versions.
        let record_version = match config.versions.max.is_ssl3() {
            true => ProtocolVersion::Ssl3,
            false => ProtocolVersion::Tls10,
        };
        let mut conn = Self::new(
            Side::Client,
            rng,
            config.provider.clone(),
            &config.deviations,
            &config.flaws,
            now_unix,
            record_version,
        );
        let state = handshake::client::start(&mut conn.cx, config)?;
        conn.state = Some(state);
        Ok(conn)
    }

    /// A server awaiting a ClientHello.
    pub fn server(config: Arc<ServerConfig>, rng: Box<dyn RandomSource + Send>, now_unix: i64) -> Self {
        let mut conn = Self::new(
            Side::Server,
            rng,
            config.provider.clone(),
            &config.deviations,
            &config.flaws,
            now_unix,
            config.versions.min,
        );
        conn.session_cache = Some(config.session_cache.clone());
        conn.state = Some(handshake::server::start(config));
        conn
    }

    fn new(
        side: Side,
        rng: Box<dyn RandomSource + Send>,
        provider: Arc<dyn CryptoProvider>,
        dev: &Deviations,
        flaws: &crate::flaw::Flaws,
        now_unix: i64,
        version: ProtocolVersion,
    ) -> Self {
        Self {
            side,
            cx: Context {
                record: RecordLayer::new(side == Side::Server, version).with_knobs(dev),
                transcript: Transcript::new(),
                rng,
                provider,
                now_unix,
                events: VecDeque::new(),
                version,
                handshake_done: false,
                dev: dev.clone(),
                flaws: flaws.clone(),
                held: Vec::new(),
                applied: Vec::new(),
                cancelled: Vec::new(),
                client_verify_data: Vec::new(),
                server_verify_data: Vec::new(),
                secure_renegotiation: false,
                encrypt_then_mac: false,
                completed_handshakes: 0,
                session_id: Vec::new(),
            },
            joiner: HandshakeJoiner::new(),
            state: None,
            error: None,
            sent_close: false,
            peer_closed: false,
            fatal_alert: false,
            session_cache: None,
        }
    }

    pub fn side(&self) -> Side {
        self.side
    }

    /// How many times this handshake hashed its whole transcript because
    /// no running digest covered a Finished, CertificateVerify or session
    /// hash (RFC 5246 7.4.8, 7.4.9; RFC 7627 3). The engine starts the
    /// digests it needs at ServerHello and CertificateRequest, so this is
    /// zero unless a digest nobody expected is asked for.
    pub fn transcript_rehashes(&self) -> usize {
        self.cx.transcript.whole_hashes()
    }

    /// The version in force (negotiated, or offered before that).
    pub fn version(&self) -> ProtocolVersion {
        self.cx.version
    }

    pub fn is_handshaking(&self) -> bool {
        !self.cx.handshake_done && self.error.is_none()
    }

    /// The error that ended the connection, if one did.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Whether nothing more will be read: an error, or close_notify.
    pub fn is_closed(&self) -> bool {
        self.error.is_some() || self.peer_closed
    }

    /// Processes received bytes. On a fatal error the alert to send (if
    /// any) is queued in [`Connection::take_output`], and the same error
    /// comes back from every later call.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.cx.record.push_received(bytes);
        match self.process() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// After the connection failed on a check of its own (a bad Finished,
    /// a malformed message), what the peer still sends is read here for
    /// its alerts only: records are deframed and unprotected as they would
    /// have been, and nothing else is processed. Bytes left over from the
    /// read that failed are read first. Lets a test judge the alert that
    /// was already on its way, or the peer's answer to ours.
    pub fn alerts_after_failure(&mut self, bytes: &[u8]) -> Vec<Alert> {
        let mut alerts = Vec::new();
        if self.error.is_none() {
            return alerts;
        }
        self.cx.record.push_received(bytes);
        // A record that cannot be read ends the reading: after it the
        // stream has no trustworthy boundaries.
        while let Ok(Some(received)) = self.cx.record.next_record() {
            if let Received::Record { content_type: ContentType::Alert, plaintext, .. } = received {
                // RFC 5246 7.2: each alert is a level, warning(1) or
                // fatal(2), and a description. A record that is not a whole
                // run of them is one under keys this side never derived (a
                // peer that went on after the message we refused): its
                // bytes are ciphertext, and no alert can be read from it.
                let well_formed = plaintext.len() % 2 == 0
                    && plaintext.chunks_exact(2).all(|a| {
                        a.first()
                            .is_some_and(|l| [AlertLevel::Warning.get(), AlertLevel::Fatal.get()].contains(l))
                    });
                if well_formed {
                    alerts.extend(plaintext.chunks_exact(2).filter_map(|a| Alert::from_bytes(a).ok()));
                }
            }
        }
        alerts
    }

    /// The transport closed. Before close_notify this is an error (a
    /// truncation attack looks like this, RFC 5246 7.2.1).
    pub fn feed_eof(&mut self) -> Result<(), Error> {
        if self.peer_closed || self.error.is_some() {
            return Ok(());
        }
        let e = Error::UnexpectedEof;
        self.error = Some(e.clone());
        Err(e)
    }

    fn fail(&mut self, e: Error) -> Error {
        let alert = e.alert(self.cx.version);
        if let Some(alert) = alert {
            self.cx.send_alert(AlertLevel::Fatal, alert);
        }
        if alert.is_some() || matches!(e, Error::AlertReceived(_)) {
            self.invalidate_session();
        }
        self.error = Some(e.clone());
        self.state = None;
        e
    }

    /// RFC 5246 7.2.2 (RFC 6101 5.4.2): a connection that ends in a fatal
    /// alert, sent or received, invalidates its session: a server forgets
    /// it, and a client is told not to offer it again
    /// ([`Connection::session_resumable`]).
    fn invalidate_session(&mut self) {
        // FLAW resume_invalidated_session: the session outlives the alert.
        if self.cx.flaws.has(crate::flaw::Flaw::ResumeInvalidatedSession) {
            return;
        }
        self.fatal_alert = true;
        if let Some(cache) = &self.session_cache
            && !self.cx.session_id.is_empty()
        {
            cache.remove(&self.cx.session_id);
        }
    }

    /// Whether the session of this connection may be resumed: false once
    /// a fatal alert was sent or received on it (RFC 5246 7.2.2).
    pub fn session_resumable(&self) -> bool {
        !self.fatal_alert
    }

    /// Ends the connection with a fatal alert of the application's own
    /// (RFC 5246 7.2.2: the session is invalidated, as for any fatal
    /// alert). Nothing is sent or received after it.
    pub fn abort(&mut self, description: AlertDescription) {
        if self.error.is_none() && !self.sent_close {
            self.cx.send_alert(AlertLevel::Fatal, description);
            self.invalidate_session();
            self.error = Some(Error::Aborted(description));
            self.state = None;
        }
    }

    fn process(&mut self) -> Result<(), Error> {
        while !self.peer_closed {
            let Some(received) = self.cx.record.next_record()? else {
                return Ok(());
            };
            match received {
                Received::Sslv2Hello(raw) => {
                    let v2 = Sslv2ClientHello::from_bytes(&raw)?;
                    let hello = v2.to_client_hello();
                    self.dispatch(Message::Sslv2Hello { hello, raw: Sslv2ClientHello::body(&raw) })?;
                }
                Received::Record { content_type, plaintext, .. } => {
                    self.handle_record(content_type, plaintext)?;
                }
            }
        }
        Ok(())
    }

    fn handle_record(&mut self, content_type: ContentType, plaintext: Vec<u8>) -> Result<(), Error> {
        // RFC 5246 6.2.1: a handshake message may span records, but no other
        // content type may come between its fragments.
        if content_type != ContentType::Handshake && self.joiner.has_partial() {
            return Err(match content_type {
                ContentType::ChangeCipherSpec => PeerMisbehaved::ChangeCipherSpecMidMessage,
                other => PeerMisbehaved::UnexpectedMessage {
                    expected: "the rest of a handshake message",
                    got: other.to_string(),
                },
            }
            .into());
        }
        if content_type != ContentType::Alert {
            self.cx.record.warnings_in_a_row = 0;
        }
        match content_type {
            ContentType::Handshake => {
                self.joiner.push(&plaintext);
                while let Some(raw) = self.joiner.pop()? {
                    let msg = match raw.decode(self.cx.decode_context()) {
                        Ok(msg) => msg,
                        // FLAW ignore_trailing_bytes: read as far as the
                        // structure goes; RFC 5246 7.4.1.2 wants decode_error.
                        Err(e) if self.cx.flaws.has(crate::flaw::Flaw::IgnoreTrailingBytes) => {
                            match crate::flaw::decode_ignoring_trailing_bytes(&raw, self.cx.decode_context())
                            {
                                Some(msg) => msg,
                                None => return Err(self.undecodable(&raw, e)),
                            }
                        }
                        Err(e) => return Err(self.undecodable(&raw, e)),
                    };
                    // RFC 5246 7.4.1.1: a client ignores HelloRequest while it
                    // negotiates, and the message never enters the hashes.
                    let negotiating = self.state.as_ref().is_some_and(|s| s.negotiating());
                    if self.side == Side::Client && msg.typ == HandshakeType::HelloRequest && negotiating {
                        continue;
                    }
                    self.dispatch(Message::Handshake { msg, raw: raw.raw() })?;
                }
                Ok(())
            }
            ContentType::ChangeCipherSpec => {
                ChangeCipherSpec::from_bytes(&plaintext)?;
                self.dispatch(Message::ChangeCipherSpec)
            }
            ContentType::ApplicationData => {
                if !self.cx.handshake_done {
                    return Err(PeerMisbehaved::ApplicationDataBeforeHandshake.into());
                }
                // Once a handshake is done, data may flow in any state, also
                // in the middle of a renegotiation (RFC 5246 7.4.1.1).
                self.cx.events.push_back(Event::ApplicationData(plaintext));
                Ok(())
            }
            ContentType::Alert => self.handle_alert(&plaintext),
            // FLAW accept_unknown_record_type: RFC 5246 6 wants unexpected_message.
            _ if self.cx.flaws.has(crate::flaw::Flaw::AcceptUnknownRecordType) => Ok(()),
            other => Err(PeerMisbehaved::UnknownContentType(other).into()),
        }
    }

    fn handle_alert(&mut self, plaintext: &[u8]) -> Result<(), Error> {
        let alert = Alert::from_bytes(plaintext)?;
        // RFC 5246 7.2: a fatal alert ends the connection at once; an
        // unknown level is treated as fatal.
        // FLAW ignore_fatal_alert: RFC 5246 7.2 says close at once.
        let ignored = self.cx.flaws.has(crate::flaw::Flaw::IgnoreFatalAlert);
        if alert.level != AlertLevel::Warning && !ignored {
            return Err(Error::AlertReceived(alert.description));
        }
        match alert.description {
            AlertDescription::CloseNotify => {
                self.peer_closed = true;
                self.cx.events.push_back(Event::PeerClosed);
                // RFC 5246 7.2.1: answer close_notify with our own.
                self.close();
                Ok(())
            }
            AlertDescription::NoCertificate => self.dispatch(Message::NoCertificateAlert),
            other => {
                self.cx.record.warnings_in_a_row += 1;
                if self.cx.record.warnings_in_a_row > MAX_WARNING_ALERTS_IN_A_ROW {
                    return Err(PeerMisbehaved::TooManyWarningAlerts.into());
                }
                self.cx.events.push_back(Event::WarningAlert(other));
                Ok(())
            }
        }
    }

    fn dispatch(&mut self, msg: Message<'_>) -> Result<(), Error> {
        let state = self.state.take().ok_or(Error::Internal("no handshake state"))?;
        self.state = Some(state.handle(&mut self.cx, msg)?);
        Ok(())
    }

    /// The error for a handshake message whose body does not parse. RFC
    /// 5246 7.2.2 keeps decode_error for a message that does not decode and
    /// unexpected_message for one out of place; a message of a type the
    /// state does not await is out of place whatever its body (7.3), so the
    /// state is shown the type with the body kept raw and its verdict wins
    /// unless it awaits exactly this type. Only while negotiating: after the
    /// handshake a state may act on a message (decline a renegotiation)
    /// rather than refuse it.
    fn undecodable(
        &mut self,
        raw: &crate::msgs::reassembly::RawHandshake,
        e: crate::codec::DecodeError,
    ) -> Error {
        let decode_error = Error::from(e);
        if !self.state.as_ref().is_some_and(|s| s.negotiating()) {
            return decode_error;
        }
        let typ = raw.typ();
        let probe = crate::msgs::handshake::HandshakeMessage {
            typ,
            payload: crate::msgs::handshake::HandshakePayload::Unknown(raw.body().to_vec()),
        };
        match self.dispatch(Message::Handshake { msg: probe, raw: raw.raw() }) {
            Err(Error::PeerMisbehaved(PeerMisbehaved::UnexpectedMessage { expected, got }))
                if !expected.split(" or ").any(|name| Some(name) == typ.name()) =>
            {
                PeerMisbehaved::UnexpectedMessage { expected, got }.into()
            }
            _ => decode_error,
        }
    }

    /// Bytes to send to the peer.
    pub fn take_output(&mut self) -> Vec<u8> {
        self.cx.record.take_outgoing(self.cx.rng.as_mut())
    }

    /// The field mutations (`Knob::MutateField`) that changed a message we
    /// sent: a mutation whose path was absent never reached the wire.
    pub fn applied_field_mutations(&self) -> &[crate::deviate::field::FieldMutation] {
        &self.cx.applied
    }

    /// Messages the knobs changed and changed back (a pad then a cut of
    /// the same bytes): they went out honest, so no duty follows from them.
    pub fn cancelled_messages(&self) -> &[HandshakeType] {
        &self.cx.cancelled
    }

    pub fn has_output(&self) -> bool {
        self.cx.record.has_outgoing()
    }

    pub fn next_event(&mut self) -> Option<Event> {
        self.cx.events.pop_front()
    }

    /// Queues application data (after the handshake).
    pub fn send_application_data(&mut self, data: &[u8]) -> Result<(), Error> {
        use crate::error::CannotSend;
        let refused = if self.error.is_some() {
            Some(CannotSend::Failed)
        } else if self.sent_close {
            Some(CannotSend::Closed)
        } else if !self.cx.handshake_done {
            Some(CannotSend::Handshaking)
        } else {
            None
        };
        if let Some(why) = refused {
            return Err(Error::CannotSend(why));
        }
        self.cx.record.send(ContentType::ApplicationData, data, self.cx.rng.as_mut());
        Ok(())
    }

    /// Sends close_notify (once).
    pub fn close(&mut self) {
        if !self.sent_close && self.error.is_none() {
            self.sent_close = true;
            self.cx.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
        }
    }
}
