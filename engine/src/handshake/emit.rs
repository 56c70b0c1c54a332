//! Everything the handshake sends goes through here, so the misbehaviour
//! knobs that change what goes on the wire (skip, duplicate, hold, cut or
//! pad a message, inject records, ChangeCipherSpec games) live in one place.

use super::Context;
use crate::codec::{Codec, Width, put_len};
use crate::crypto::record::SealTweak;
use crate::deviate::{Anchor, Knob};
use crate::msgs::enums::{AlertDescription, AlertLevel, ContentType, HandshakeType};
use crate::msgs::{Alert, ChangeCipherSpec, HandshakeMessage};

/// Header and body of a handshake message built from its parts.
fn frame(typ: HandshakeType, body: &[u8]) -> Vec<u8> {
    let mut raw = vec![typ.get()];
    put_len(&mut raw, Width::U24, body.len());
    raw.extend_from_slice(body);
    raw
}

impl Context {
    /// Sends one handshake message, as the knobs shape it, and adds to the
    /// transcript what went on the wire (or, for a field mutation without
    /// integrity, what would have).
    pub fn send_handshake(&mut self, msg: &HandshakeMessage) {
        self.send_handshake_changed(msg, None);
    }

    /// [`Self::send_handshake`] for a message a knob changed while it was
    /// built (a Finished whose verify_data was flipped or resized):
    /// `honest` is what it would have been, so knobs that together undo
    /// the change (a verify_data made 13 bytes long, then cut by one) count
    /// as cancelled.
    pub fn send_handshake_changed(&mut self, msg: &HandshakeMessage, honest: Option<Vec<u8>>) {
        let typ = msg.typ;
        if self.dev.skips(typ) {
            return;
        }
        let built = msg.to_bytes();
        let honest = honest.unwrap_or_else(|| built.clone());
        let shaped = self.shape(typ, built);
        let (raw, hashed) = self.mutate_fields(typ, shaped);
        if raw == honest && hashed == honest && self.dev.shapes(typ) {
            self.cancelled.push(typ);
        }
        if let Some(until_after) = self.dev.hold_until_after(typ) {
            self.held.push((until_after, typ, raw, hashed));
            return;
        }
        self.emit(typ, &raw, &hashed);
        if self.dev.duplicates(typ) {
            self.transcript.add(&hashed);
            let tweak = self.tweak_for(typ);
            self.record.send_handshake(&raw, self.rng.as_mut(), &tweak);
        }
        let (release, keep): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.held).into_iter().partition(|h| h.0 == typ);
        self.held = keep;
        for (_, held_typ, held_raw, held_hashed) in release {
            self.emit(held_typ, &held_raw, &held_hashed);
        }
    }

    /// Cuts or pads a message body; the length field follows the body.
    fn shape(&self, typ: HandshakeType, raw: Vec<u8>) -> Vec<u8> {
        let mut body = raw.get(crate::msgs::handshake::HEADER_LEN..).unwrap_or_default().to_vec();
        let mut changed = false;
        for knob in &self.dev.0 {
            match knob {
                Knob::TruncateBody { message, by } if *message == typ => {
                    body.truncate(body.len().saturating_sub(*by));
                    changed = true;
                }
                Knob::PadBody { message, bytes } if *message == typ => {
                    body.extend(bytes.bytes());
                    changed = true;
                }
                _ => {}
            }
        }
        if changed { frame(typ, &body) } else { raw }
    }

    /// Applies the field mutations for this message (deviate/field.rs):
    /// returns what goes on the wire and what the transcript takes. Each
    /// mutation that changed the message is noted in `applied`.
    fn mutate_fields(&mut self, typ: HandshakeType, raw: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
        let mutations: Vec<crate::deviate::field::FieldMutation> = self
            .dev
            .all(|k| match k {
                Knob::MutateField(m) if m.message == typ => Some(m.clone()),
                _ => None,
            })
            .collect();
        if mutations.is_empty() {
            return (raw.clone(), raw);
        }
        // The wire takes every mutation; the transcript only those that
        // keep integrity, each applied to its own copy, so a later one
        // with integrity does not carry an earlier one without it into
        // the hash.
        let mut body = raw.get(crate::msgs::handshake::HEADER_LEN..).unwrap_or_default().to_vec();
        let mut hashed_body = body.clone();
        for m in mutations {
            if let Some(out) = m.apply(typ, self.version, &body) {
                body = out;
                if m.integrity
                    && let Some(h) = m.apply(typ, self.version, &hashed_body)
                {
                    hashed_body = h;
                }
                self.applied.push(m);
            }
        }
        (frame(typ, &body), frame(typ, &hashed_body))
    }

    fn tweak_for(&self, typ: HandshakeType) -> SealTweak {
        self.dev.record_tweak(typ).cloned().unwrap_or_default()
    }

    fn emit(&mut self, typ: HandshakeType, raw: &[u8], hashed: &[u8]) {
        self.fire(Anchor::Before(typ));
        if self.dev.ccs_before(typ) {
            self.send_ccs_record();
        }
        self.transcript.add(hashed);
        let tweak = self.tweak_for(typ);
        self.record.send_handshake(raw, self.rng.as_mut(), &tweak);
        self.fire(Anchor::After(typ));
    }

    /// Sends every record the knobs inject at `at`.
    pub fn fire(&mut self, at: Anchor) {
        // AfterHandshake fires once, after the first handshake: never
        // inside a renegotiation.
        let renegotiating = self.completed_handshakes >= 1 && at != Anchor::AfterHandshake;
        let injections: Vec<Knob> = self
            .dev
            .0
            .iter()
            .filter(|k| match k {
                Knob::InjectRecord { at: a, .. }
                | Knob::InjectAlert { at: a, .. }
                | Knob::InjectHandshake { at: a, .. } => *a == at,
                Knob::RenegotiationInjectRecord { at: a, .. } => *a == at && renegotiating,
                _ => false,
            })
            .cloned()
            .collect();
        for knob in injections {
            match knob {
                Knob::InjectRecord { content_type, payload, .. }
                | Knob::RenegotiationInjectRecord { content_type, payload, .. } => {
                    let bytes = payload.bytes();
                    self.record.flush_handshake(self.rng.as_mut());
                    self.record.send_one(content_type, &bytes, self.rng.as_mut(), &SealTweak::default());
                }
                Knob::InjectAlert { level, description, .. } => self.send_alert(level, description),
                Knob::InjectHandshake { typ, body, .. } => {
                    let raw = frame(typ, &body.bytes());
                    // RFC 5246 7.4.1.1: HelloRequest stays out of the hashes.
                    if typ != HandshakeType::HelloRequest {
                        self.transcript.add(&raw);
                    }
                    self.record.send_handshake(&raw, self.rng.as_mut(), &SealTweak::default());
                }
                _ => {}
            }
        }
    }

    /// Sends ChangeCipherSpec and switches the write side to the pending
    /// keys (RFC 5246 7.1), unless the knobs say otherwise.
    pub fn send_change_cipher_spec(&mut self) {
        if self.dev.has(&Knob::CcsNever) {
            return;
        }
        self.fire(Anchor::BeforeChangeCipherSpec);
        self.send_ccs_record();
        self.record.activate_write();
        // The duplicate goes under the new keys, as a stack that forgot it
        // had already switched would send it.
        if self.dev.has(&Knob::CcsTwice) {
            self.send_ccs_record();
        }
        self.fire(Anchor::AfterChangeCipherSpec);
    }

    fn send_ccs_record(&mut self) {
        let body = self.dev.ccs_body().unwrap_or_else(|| ChangeCipherSpec.to_bytes());
        self.record.send(ContentType::ChangeCipherSpec, &body, self.rng.as_mut());
    }

    pub fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        let alert = Alert::new(level, description);
        self.record.send(ContentType::Alert, &alert.to_bytes(), self.rng.as_mut());
    }
}
