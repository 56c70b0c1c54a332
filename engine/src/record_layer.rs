//! The record layer of one connection: framing in, protection both ways,
//! fragmentation out, and the limits on what a peer may send in a row.

use crate::codec::Codec;
use crate::crypto::RandomSource;
use crate::crypto::provider::{RecordOpen, RecordSeal};
use crate::crypto::record::SealTweak;
use crate::deviate::{Deviations, Knob};
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::enums::{ContentType, ProtocolVersion};
use crate::msgs::record::{MAX_PLAINTEXT, Record};
use crate::msgs::{DeframeError, Deframed, Deframer};

/// At most this many empty records in a row (a peer flooding empty records
/// makes no progress; DESIGN limit, as trusted stacks set it).
pub const MAX_EMPTY_RECORDS_IN_A_ROW: usize = 32;

/// At most this many warning alerts in a row.
pub const MAX_WARNING_ALERTS_IN_A_ROW: usize = 4;

/// A received record after its protection is removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Record {
        content_type: ContentType,
        version: ProtocolVersion,
        plaintext: Vec<u8>,
    },
    /// The SSLv2-compatible ClientHello, header included (RFC 5246 E.2).
    Sslv2Hello(Vec<u8>),
}

#[derive(Debug)]
pub struct RecordLayer {
    deframer: Deframer,
    read: Option<Box<dyn RecordOpen>>,
    write: Option<Box<dyn RecordSeal>>,
    pending_read: Option<Box<dyn RecordOpen>>,
    pending_write: Option<Box<dyn RecordSeal>>,
    /// The version written in outgoing record headers.
    pub write_version: ProtocolVersion,
    /// Once set, every received record must carry exactly this version.
    pub expect_version: Option<ProtocolVersion>,
    empty_in_a_row: usize,
    pub(crate) warnings_in_a_row: usize,
    outgoing: Vec<u8>,
    /// How handshake messages are put into records (misbehaviour knobs).
    pub framing: Framing,
    pending_handshake: Vec<u8>,
    /// The tweak of a coalesced message, for the record that carries it
    /// (found by `shakedown fuzz`: coalescing used to drop it).
    pending_tweak: SealTweak,
    /// Protection tweak for the first application data record sent.
    pub app_data_tweak: Option<SealTweak>,
}

/// Record-level knobs, set once from the deviations.
#[derive(Debug, Clone, Default)]
pub struct Framing {
    /// Version in every record header we send, whatever was negotiated.
    pub record_version: Option<ProtocolVersion>,
    /// Handshake records of at most this many bytes.
    pub fragment: Option<usize>,
    /// One record per flight instead of one per message.
    pub coalesce: bool,
}

impl RecordLayer {
    pub fn new(server: bool, write_version: ProtocolVersion) -> Self {
        Self {
            deframer: if server { Deframer::server() } else { Deframer::new() },
            read: None,
            write: None,
            pending_read: None,
            pending_write: None,
            write_version,
            expect_version: None,
            empty_in_a_row: 0,
            warnings_in_a_row: 0,
            outgoing: Vec::new(),
            framing: Framing::default(),
            pending_handshake: Vec::new(),
            pending_tweak: SealTweak::default(),
            app_data_tweak: None,
        }
    }

    /// Applies the record-level knobs.
    pub fn with_knobs(mut self, dev: &Deviations) -> Self {
        for knob in &dev.0 {
            match knob {
                Knob::RecordVersion(v) => self.framing.record_version = Some(*v),
                Knob::FragmentHandshake(n) => self.framing.fragment = Some(*n),
                Knob::CoalesceHandshake => self.framing.coalesce = true,
                Knob::TweakRecord { on: None, tweak } => self.app_data_tweak = Some(tweak.clone()),
                _ => {}
            }
        }
        self
    }

    pub fn push_received(&mut self, bytes: &[u8]) {
        self.deframer.push(bytes);
    }

    /// The next record, unprotected; `Ok(None)` when more bytes are needed.
    pub fn next_record(&mut self) -> Result<Option<Received>, Error> {
        loop {
            let deframed = match self.deframer.pop() {
                Ok(Some(d)) => d,
                Ok(None) => return Ok(None),
                Err(DeframeError::RecordOverflow { .. }) => {
                    return Err(crate::crypto::record::RecordError::RecordOverflow.into());
                }
            };
            let record = match deframed {
                Deframed::Sslv2Hello(raw) => return Ok(Some(Received::Sslv2Hello(raw))),
                Deframed::Record(r) => r,
            };
            self.check_version(record.content_type, record.version)?;
            let plaintext = match &mut self.read {
                Some(opener) => opener.open(record.content_type, record.version, &record.fragment)?,
                None => record.fragment,
            };
            // RFC 5246 6.2.1: plaintext over 2^14 is record_overflow.
            if plaintext.len() > MAX_PLAINTEXT {
                return Err(crate::crypto::record::RecordError::RecordOverflow.into());
            }
            if plaintext.is_empty() {
                self.empty_in_a_row += 1;
                if self.empty_in_a_row > MAX_EMPTY_RECORDS_IN_A_ROW {
                    return Err(PeerMisbehaved::TooManyEmptyRecords.into());
                }
                // RFC 5246 6.2.1: zero-length fragments of application data
                // are allowed (a traffic-analysis countermeasure); other
                // types must not be empty.
                if record.content_type != ContentType::ApplicationData {
                    return Err(PeerMisbehaved::UnexpectedMessage {
                        expected: "a non-empty record",
                        got: format!("empty {} record", record.content_type),
                    }
                    .into());
                }
                continue;
            }
            self.empty_in_a_row = 0;
            return Ok(Some(Received::Record {
                content_type: record.content_type,
                version: record.version,
                plaintext,
            }));
        }
    }

    /// Every record has major version 3 (RFC 5246 E.1); after the version
    /// is negotiated, exactly that version. Alerts are read whatever their
    /// 3.x version: a peer that fails before it adopted the negotiated
    /// version still says why, and the harness wants to hear it.
    fn check_version(&self, content_type: ContentType, got: ProtocolVersion) -> Result<(), Error> {
        let major_ok = got.get() >> 8 == 3;
        let ok = match self.expect_version {
            Some(v) if content_type != ContentType::Alert => got == v,
            _ => major_ok,
        };
        if ok { Ok(()) } else { Err(PeerMisbehaved::UnsupportedVersion(got).into()) }
    }

    /// Sets the protection that takes over at the next ChangeCipherSpec in
    /// each direction.
    pub fn set_pending(&mut self, read: Box<dyn RecordOpen>, write: Box<dyn RecordSeal>) {
        self.pending_read = Some(read);
        self.pending_write = Some(write);
    }

    /// A ChangeCipherSpec was received: the pending read state becomes
    /// current (RFC 5246 7.1). False if there was none to activate.
    pub fn activate_read(&mut self) -> bool {
        match self.pending_read.take() {
            Some(r) => {
                self.read = Some(r);
                true
            }
            None => false,
        }
    }

    /// A ChangeCipherSpec was sent: the pending write state becomes current.
    pub fn activate_write(&mut self) -> bool {
        match self.pending_write.take() {
            Some(w) => {
                self.write = Some(w);
                true
            }
            None => false,
        }
    }

    /// Sends `payload` as records of `content_type`, at most 2^14 bytes of
    /// plaintext each (RFC 5246 6.2.1). Handshake bytes still waiting to be
    /// coalesced go first, so the order on the wire is the order of calls.
    pub fn send(&mut self, content_type: ContentType, payload: &[u8], rng: &mut dyn RandomSource) {
        self.flush_handshake(rng);
        let tweak = match content_type {
            ContentType::ApplicationData => self.app_data_tweak.take().unwrap_or_default(),
            _ => SealTweak::default(),
        };
        self.send_chunks(content_type, payload, MAX_PLAINTEXT, rng, &tweak);
    }

    /// Sends one handshake message's bytes under the handshake framing the
    /// knobs ask for: one record per message by default, split into
    /// `fragment`-byte records, or coalesced with the rest of the flight.
    pub fn send_handshake(&mut self, raw: &[u8], rng: &mut dyn RandomSource, tweak: &SealTweak) {
        if self.framing.coalesce {
            self.pending_handshake.extend_from_slice(raw);
            if *tweak != SealTweak::default() {
                self.pending_tweak = tweak.clone();
            }
            return;
        }
        let size = self.framing.fragment.unwrap_or(MAX_PLAINTEXT).clamp(1, MAX_PLAINTEXT);
        self.send_chunks(ContentType::Handshake, raw, size, rng, tweak);
    }

    /// Writes out coalesced handshake bytes, if any.
    pub fn flush_handshake(&mut self, rng: &mut dyn RandomSource) {
        if self.pending_handshake.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending_handshake);
        let tweak = std::mem::take(&mut self.pending_tweak);
        let size = self.framing.fragment.unwrap_or(MAX_PLAINTEXT).clamp(1, MAX_PLAINTEXT);
        self.send_chunks(ContentType::Handshake, &pending, size, rng, &tweak);
    }

    fn send_chunks(
        &mut self,
        content_type: ContentType,
        payload: &[u8],
        size: usize,
        rng: &mut dyn RandomSource,
        tweak: &SealTweak,
    ) {
        if payload.is_empty() {
            self.send_one(content_type, &[], rng, tweak);
        }
        for chunk in payload.chunks(size.max(1)) {
            self.send_one(content_type, chunk, rng, tweak);
        }
    }

    /// Sends exactly one record, of any size (an oversized record is a
    /// deliberate misbehaviour), protected with the current write state.
    pub fn send_one(
        &mut self,
        content_type: ContentType,
        plaintext: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &SealTweak,
    ) {
        let version = self.framing.record_version.unwrap_or(self.write_version);
        let fragment = match &mut self.write {
            Some(sealer) => sealer.seal(content_type, version, plaintext, rng, tweak),
            None => plaintext.to_vec(),
        };
        Record { content_type, version, fragment }.encode(&mut self.outgoing);
    }

    pub fn take_outgoing(&mut self, rng: &mut dyn RandomSource) -> Vec<u8> {
        self.flush_handshake(rng);
        std::mem::take(&mut self.outgoing)
    }

    pub fn has_outgoing(&self) -> bool {
        !self.outgoing.is_empty() || !self.pending_handshake.is_empty()
    }
}
