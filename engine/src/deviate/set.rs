//! The knobs of one connection, checked once and read through typed
//! accessors: the handshake asks "which suite does the knob select?", never
//! scans the list itself.

use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::Payload;
use super::{Knob, Pkcs1Tweak};
use crate::crypto::record::SealTweak;
use crate::msgs::Extension;
use crate::msgs::enums::{CipherSuite, Compression, HandshakeType, HashAlgorithm, ProtocolVersion};

/// The knobs of one connection, in the order a vector lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Deviations(pub Vec<Knob>);

/// Two knobs that set one value: the vector cannot mean both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviationsError {
    /// Index of the second knob.
    pub index: usize,
    pub message: String,
}

impl std::fmt::Display for DeviationsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a knob sets, when it sets one value; None for knobs that may
/// repeat (injections, byte flips, added extensions: a duplicate extension
/// is itself a test).
fn slot(knob: &Knob) -> Option<String> {
    use Knob as K;
    let name = |s: &str| Some(s.to_owned());
    let keyed = |s: &str, t: &dyn std::fmt::Display| Some(format!("{s}({t})"));
    match knob {
        K::OfferSuites(_) => name("offer_suites"),
        K::AppendSuite(s) => keyed("append_suite", s),
        K::NoExtensions => name("no_extensions"),
        K::OfferCompression(_) => name("offer_compression"),
        K::ClientHelloVersion(_) => name("client_hello_version"),
        K::SelectSuite(_) => name("select_suite"),
        K::SelectCompression(_) => name("select_compression"),
        K::ServerHelloVersion(_) => name("server_hello_version"),
        K::OmitExtension(t) => keyed("omit_extension", t),
        K::AddExtension { .. } | K::RenegotiationAddExtension { .. } => None,
        K::RenegotiationOmitExtension(t) => keyed("renegotiation_omit_extension", t),
        K::SessionId(_) => name("session_id"),
        K::DeclineResumption => name("decline_resumption"),
        K::RecordVersion(_) => name("record_version"),
        K::FragmentHandshake(_) => name("fragment_handshake"),
        K::CoalesceHandshake => name("coalesce_handshake"),
        K::TweakRecord { on: Some(t), .. } => keyed("tweak_record", t),
        K::TweakRecord { on: None, .. } => name("tweak_record(application_data)"),
        K::InjectRecord { .. }
        | K::InjectAlert { .. }
        | K::InjectHandshake { .. }
        | K::RenegotiationInjectRecord { .. } => None,
        K::Skip(t) => keyed("skip", t),
        K::Duplicate(t) => keyed("duplicate", t),
        K::Hold { message, .. } => keyed("hold", message),
        K::TruncateBody { message, .. } => keyed("truncate_body", message),
        K::PadBody { message, .. } => keyed("pad_body", message),
        K::CcsBefore(t) => keyed("ccs_before", t),
        K::CcsTwice => name("ccs_twice"),
        K::CcsNever => name("ccs_never"),
        K::CcsBody(_) => name("ccs_body"),
        K::PremasterVersion(_) => name("premaster_version"),
        K::PremasterLength(_) => name("premaster_length"),
        K::Pkcs1(_) => name("pkcs1"),
        K::CiphertextLengthDelta(_) => name("ciphertext_length_delta"),
        // Both answer a CertificateRequest: one answer only.
        K::EmptyCertificate | K::NoCertificateAlert => name("certificate answer"),
        K::UnrequestedCertificate => name("unrequested_certificate"),
        K::CorruptCertificateVerify(_) => None,
        K::CertificateVerifyWithoutNull => name("certificate_verify_without_null"),
        K::CertificateVerifyHash(_) => name("certificate_verify_hash"),
        K::CorruptFinished(_) => None,
        K::FinishedLength(_) => name("finished_length"),
        K::Renegotiate => name("renegotiate"),
        K::MutateField(_) => None,
    }
}

impl Deviations {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn is_honest(&self) -> bool {
        self.0.is_empty()
    }

    /// Refuses two knobs that set the same single value (two
    /// `select_suite`, two `skip` of one message, ...).
    pub fn check(&self) -> Result<(), DeviationsError> {
        let mut seen = std::collections::BTreeMap::new();
        for (index, knob) in self.0.iter().enumerate() {
            let Some(slot) = slot(knob) else { continue };
            if let Some(first) = seen.insert(slot.clone(), index) {
                return Err(DeviationsError {
                    index,
                    message: format!("knob {index} sets {slot}, which knob {first} already sets"),
                });
            }
        }
        Ok(())
    }

    pub fn has(&self, knob: &Knob) -> bool {
        self.0.contains(knob)
    }

    /// The single value a knob sets (checked unique by [`Self::check`];
    /// the first wins for an unchecked list).
    fn one<'a, T>(&'a self, f: impl FnMut(&'a Knob) -> Option<T>) -> Option<T> {
        self.0.iter().find_map(f)
    }

    /// Every knob `f` picks out, in order.
    pub fn all<'a, T: 'a>(
        &'a self,
        f: impl FnMut(&'a Knob) -> Option<T> + 'a,
    ) -> impl Iterator<Item = T> + 'a {
        self.0.iter().filter_map(f)
    }

    // ---- hellos -------------------------------------------------------

    pub fn client_hello_version(&self) -> Option<ProtocolVersion> {
        self.one(|k| if let Knob::ClientHelloVersion(v) = k { Some(*v) } else { None })
    }

    pub fn server_hello_version(&self) -> Option<ProtocolVersion> {
        self.one(|k| if let Knob::ServerHelloVersion(v) = k { Some(*v) } else { None })
    }

    pub fn offer_suites(&self) -> Option<&[CipherSuite]> {
        self.one(|k| if let Knob::OfferSuites(s) = k { Some(s.as_slice()) } else { None })
    }

    pub fn offer_compression(&self) -> Option<&[Compression]> {
        self.one(|k| if let Knob::OfferCompression(c) = k { Some(c.as_slice()) } else { None })
    }

    /// Suites to offer after the others, in order.
    pub fn appended_suites(&self) -> impl Iterator<Item = CipherSuite> + '_ {
        self.all(|k| if let Knob::AppendSuite(s) = k { Some(*s) } else { None })
    }

    pub fn select_suite(&self) -> Option<CipherSuite> {
        self.one(|k| if let Knob::SelectSuite(s) = k { Some(*s) } else { None })
    }

    pub fn select_compression(&self) -> Option<Compression> {
        self.one(|k| if let Knob::SelectCompression(c) = k { Some(*c) } else { None })
    }

    pub fn session_id(&self) -> Option<Vec<u8>> {
        self.one(|k| if let Knob::SessionId(p) = k { Some(p.bytes()) } else { None })
    }

    /// Leaves out and adds hello extensions as the knobs say. An omitted
    /// last extension leaves an empty block, not an absent one.
    pub fn apply_to_extensions(&self, exts: &mut Option<Vec<Extension>>, renegotiation: bool) {
        if self.has(&Knob::NoExtensions) {
            *exts = None;
            return;
        }
        for knob in &self.0 {
            match knob {
                Knob::OmitExtension(typ) => {
                    if let Some(list) = exts.as_mut() {
                        list.retain(|e| e.typ() != *typ);
                    }
                }
                Knob::RenegotiationOmitExtension(typ) if renegotiation => {
                    if let Some(list) = exts.as_mut() {
                        list.retain(|e| e.typ() != *typ);
                    }
                }
                Knob::AddExtension { typ, body } => {
                    let ext = Extension::Other { typ: *typ, body: body.bytes() };
                    exts.get_or_insert_with(Vec::new).push(ext);
                }
                Knob::RenegotiationAddExtension { typ, body } if renegotiation => {
                    let ext = Extension::Other { typ: *typ, body: body.bytes() };
                    exts.get_or_insert_with(Vec::new).push(ext);
                }
                _ => {}
            }
        }
    }

    // ---- message order and shape ----------------------------------------

    pub fn skips(&self, typ: HandshakeType) -> bool {
        self.has(&Knob::Skip(typ))
    }

    pub fn duplicates(&self, typ: HandshakeType) -> bool {
        self.has(&Knob::Duplicate(typ))
    }

    /// Whether a knob cuts, pads or mutates a field of `typ`'s bytes.
    pub fn shapes(&self, typ: HandshakeType) -> bool {
        self.0.iter().any(|k| shaped_message(k) == Some(typ))
    }

    /// The message after which `typ` is released, if it is held back.
    pub fn hold_until_after(&self, typ: HandshakeType) -> Option<HandshakeType> {
        self.one(|k| match k {
            Knob::Hold { message, until_after } if *message == typ => Some(*until_after),
            _ => None,
        })
    }

    /// The tweak for the record carrying handshake message `typ`.
    pub fn record_tweak(&self, typ: HandshakeType) -> Option<&SealTweak> {
        self.one(|k| match k {
            Knob::TweakRecord { on: Some(on), tweak } if *on == typ => Some(tweak),
            _ => None,
        })
    }

    pub fn ccs_before(&self, typ: HandshakeType) -> bool {
        self.has(&Knob::CcsBefore(typ))
    }

    pub fn ccs_body(&self) -> Option<Vec<u8>> {
        self.one(|k| if let Knob::CcsBody(p) = k { Some(p.bytes()) } else { None })
    }

    // ---- key exchange ----------------------------------------------------

    pub fn premaster_version(&self) -> Option<ProtocolVersion> {
        self.one(|k| if let Knob::PremasterVersion(v) = k { Some(*v) } else { None })
    }

    pub fn premaster_length(&self) -> Option<usize> {
        self.one(|k| if let Knob::PremasterLength(n) = k { Some(*n) } else { None })
    }

    pub fn pkcs1(&self) -> Option<&Pkcs1Tweak> {
        self.one(|k| if let Knob::Pkcs1(t) = k { Some(t) } else { None })
    }

    pub fn ciphertext_length_delta(&self) -> Option<i32> {
        self.one(|k| if let Knob::CiphertextLengthDelta(d) = k { Some(*d) } else { None })
    }

    pub fn certificate_verify_hash(&self) -> Option<HashAlgorithm> {
        self.one(|k| if let Knob::CertificateVerifyHash(h) = k { Some(*h) } else { None })
    }

    pub fn finished_length(&self) -> Option<usize> {
        self.one(|k| if let Knob::FinishedLength(n) = k { Some(*n) } else { None })
    }
}

/// The message whose bytes a knob cuts, pads or mutates a field of, or
/// (Finished) whose verify_data it flips or resizes: knobs on one message
/// can undo each other.
pub fn shaped_message(knob: &Knob) -> Option<HandshakeType> {
    match knob {
        Knob::TruncateBody { message, .. } | Knob::PadBody { message, .. } => Some(*message),
        Knob::MutateField(m) => Some(m.message),
        Knob::CorruptFinished(_) | Knob::FinishedLength(_) => Some(HandshakeType::Finished),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::record::ByteFlip;

    #[test]
    fn knobs_setting_one_value_twice_are_refused() {
        let two_suites = Deviations(vec![
            Knob::SelectSuite(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA),
            Knob::Skip(HandshakeType::Certificate),
            Knob::SelectSuite(CipherSuite::TLS_RSA_WITH_NULL_MD5),
        ]);
        let e = two_suites.check().unwrap_err();
        assert_eq!(e.index, 2);
        assert!(e.message.contains("select_suite"), "{e}");
        let two_skips =
            Deviations(vec![Knob::Skip(HandshakeType::Certificate), Knob::Skip(HandshakeType::Certificate)]);
        assert!(two_skips.check().is_err());
        let two_answers = Deviations(vec![Knob::EmptyCertificate, Knob::NoCertificateAlert]);
        assert!(two_answers.check().is_err());
    }

    #[test]
    fn repeatable_knobs_and_distinct_keys_pass() {
        let d = Deviations(vec![
            Knob::Skip(HandshakeType::Certificate),
            Knob::Skip(HandshakeType::ServerHelloDone),
            Knob::CorruptFinished(ByteFlip { index: 0, xor: 1 }),
            Knob::CorruptFinished(ByteFlip { index: 1, xor: 1 }),
        ]);
        d.check().unwrap();
        assert!(d.skips(HandshakeType::Certificate));
        assert!(!d.duplicates(HandshakeType::Certificate));
    }

    #[test]
    fn accessors_read_their_knob() {
        let d = Deviations(vec![
            Knob::ClientHelloVersion(ProtocolVersion::Tls11),
            Knob::PremasterLength(47),
            Knob::SessionId(Payload::Hex(vec![1, 2])),
        ]);
        assert_eq!(d.client_hello_version(), Some(ProtocolVersion::Tls11));
        assert_eq!(d.premaster_length(), Some(47));
        assert_eq!(d.session_id(), Some(vec![1, 2]));
        assert_eq!(d.select_suite(), None);
    }
}
