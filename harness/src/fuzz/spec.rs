//! What a correct peer must do about each mutation, with the RFC section
//! that says so. This is the spec oracle's whole knowledge: a mutation is
//! `MustRefuse` only where the RFC leaves the peer no choice and the
//! mutation always reaches the wire; anything less certain is `MayRefuse`.

use shakedown_engine::deviate::Anchor;
use shakedown_engine::deviate::Knob;
use shakedown_engine::deviate::field::{FieldMutation, FieldOp};
use shakedown_engine::deviate::shaped_message;
use shakedown_engine::msgs::enums::{
    AlertLevel, Compression, ContentType, ExtensionType, HandshakeType, ProtocolVersion,
};

use super::case::FuzzCase;
use crate::vector::{ClientAuth, Role};

/// A correct peer's duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// The handshake must complete (honest bytes, reshaped only).
    MustComplete,
    /// Either outcome is conformant.
    MayRefuse,
    /// The mutation reaches the peer only after both Finished messages
    /// (an anchor after the handshake): there is no handshake left to
    /// refuse, and the refusal shows only in what the peer does with data
    /// after it. It must not echo; a peer that does not echo shows nothing.
    MustRefuseData,
    /// The peer must not complete the handshake nor accept data.
    MustRefuse,
}

/// A duty and where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duty {
    pub class: Class,
    pub rfc: &'static str,
}

const MAY: Duty = Duty { class: Class::MayRefuse, rfc: "" };

const fn must_refuse(rfc: &'static str) -> Duty {
    Duty { class: Class::MustRefuse, rfc }
}

/// `must_refuse`, or for a record sent after our Finished, the refusal
/// that can only show in the data: the peer verified our Finished before
/// it read the record, and may have sent its own (found against Go's and
/// Botan's servers, which answer such an alert with close_notify).
fn must_refuse_at(at: Anchor, rfc: &'static str) -> Duty {
    match at {
        Anchor::AfterHandshake | Anchor::After(HandshakeType::Finished) => {
            Duty { class: Class::MustRefuseData, rfc }
        }
        _ => must_refuse(rfc),
    }
}

/// Whether one of our messages surely goes out in this case: the hello
/// and Finished always, the certificate and key exchange messages in a full
/// handshake, unless a knob skips or holds it.
fn surely_sent(typ: HandshakeType, case: &FuzzCase) -> bool {
    let full = !case.resume;
    let sent = match (case.engine_role, typ) {
        (_, HandshakeType::Finished) => true,
        (Role::Client, HandshakeType::ClientHello) | (Role::Server, HandshakeType::ServerHello) => true,
        (Role::Client, HandshakeType::ClientKeyExchange) => full,
        (Role::Server, HandshakeType::Certificate | HandshakeType::ServerHelloDone) => full,
        _ => false,
    };
    let disturbed = case.mutations.iter().any(|k| match k {
        Knob::Skip(t) | Knob::Hold { message: t, .. } => *t == typ,
        _ => false,
    });
    sent && !disturbed
}

/// Whether records injected at `at` surely go out.
fn anchor_fires(at: Anchor, case: &FuzzCase) -> bool {
    let ccs = !case.mutations.contains(&Knob::CcsNever);
    match at {
        Anchor::Before(t) | Anchor::After(t) => surely_sent(t, case),
        Anchor::BeforeChangeCipherSpec | Anchor::AfterChangeCipherSpec => ccs,
        // Fired as our side completes: before the peer completes when we
        // finish second, after it otherwise; either way before its data.
        Anchor::AfterHandshake => true,
    }
}

/// Whether the engine client surely sends a certificate and so owes a
/// CertificateVerify (RFC 5246 7.4.8).
fn sends_client_certificate(case: &FuzzCase) -> bool {
    case.engine_role == Role::Client
        && case.client_auth != ClientAuth::Off
        && !case.resume
        && case.identity.is_none()
        && !case.mutations.iter().any(|k| {
            matches!(
                k,
                Knob::EmptyCertificate | Knob::NoCertificateAlert | Knob::Skip(HandshakeType::Certificate)
            )
        })
}

/// The duty of one knob in a case. A resumed handshake has no
/// certificate and no key exchange, so knobs on those change nothing.
pub fn duty(knob: &Knob, case: &FuzzCase) -> Duty {
    let (role, full) = (case.engine_role, !case.resume);
    let tls = case.version != crate::vector::Version::Ssl3;
    match knob {
        // RFC 5246 6.2.1: handshake messages may be split across records
        // or share one; a receiver must reassemble.
        Knob::FragmentHandshake(n) if *n >= 1 => Duty { class: Class::MustComplete, rfc: "RFC 5246 6.2.1" },
        Knob::CoalesceHandshake => Duty { class: Class::MustComplete, rfc: "RFC 5246 6.2.1" },
        Knob::CorruptFinished(f) if f.xor != 0 => must_refuse("RFC 5246 7.4.9, RFC 6101 5.6.9"),
        // The case's version decides the right length; 12 and 36 are the
        // only lengths ever right (RFC 5246 7.4.9, RFC 6101 5.6.9), and the
        // generator only asks for others.
        Knob::FinishedLength(n) if ![12, 36].contains(n) => must_refuse("RFC 5246 7.4.9"),
        Knob::TweakRecord { on: Some(HandshakeType::Finished), tweak }
            if tweak.corrupt_mac.is_some_and(|f| f.xor != 0) =>
        {
            must_refuse("RFC 5246 6.2.3.1, 6.2.3.2")
        }
        // RFC 5246 7.4.9: Finished is the first message under the new
        // keys; without ChangeCipherSpec it arrives where CCS must.
        Knob::CcsNever => must_refuse("RFC 5246 7.1, 7.4.9"),
        // RFC 5246 7.3: the client's key exchange is mandatory.
        Knob::Skip(HandshakeType::ClientKeyExchange) if role == Role::Client && full => {
            must_refuse("RFC 5246 7.3, 7.4.7")
        }
        Knob::Skip(HandshakeType::ServerHello) if role == Role::Server => must_refuse("RFC 5246 7.3"),
        Knob::Skip(HandshakeType::Certificate) if role == Role::Server && full => {
            must_refuse("RFC 5246 7.4.2 (RSA key exchange needs the server certificate)")
        }
        // RFC 5246 7.4.7.1: a premaster of the wrong length or padding
        // leaves the server with a random premaster: Finished fails.
        Knob::PremasterLength(n) if *n != 48 && role == Role::Client && full => {
            must_refuse("RFC 5246 7.4.7.1")
        }
        Knob::Pkcs1(t)
            if role == Role::Client && full && (t.block_type.is_some_and(|b| b != 2) || t.no_separator) =>
        {
            must_refuse("RFC 5246 7.4.7.1, RFC 8017 7.2.2")
        }
        // RFC 5246 7.4.1.3: the suite and compression are chosen from the
        // client's offer; the generator only picks values no client offers.
        Knob::SelectSuite(s) if role == Role::Server && shakedown_engine::suites::lookup(*s).is_none() => {
            must_refuse("RFC 5246 7.4.1.3")
        }
        Knob::SelectCompression(Compression::Unknown(_)) if role == Role::Server => {
            must_refuse("RFC 5246 7.4.1.3")
        }
        Knob::MutateField(m) => field_duty(m),
        Knob::Skip(HandshakeType::CertificateVerify) if sends_client_certificate(case) => {
            must_refuse("RFC 5246 7.4.8 (CertificateVerify follows a client certificate)")
        }
        // RFC 5246 7.2.2: a message whose length is wrong is decode_error;
        // ServerHelloDone is empty (7.4.5), ClientKeyExchange exactly its
        // ciphertext (7.4.7.1; in SSL 3.0 the ciphertext itself grows).
        Knob::PadBody { message, bytes }
            if !bytes.bytes().is_empty()
                && ((*message == HandshakeType::ServerHelloDone && role == Role::Server && full && tls)
                    || (*message == HandshakeType::ClientKeyExchange && role == Role::Client && full)) =>
        {
            must_refuse("RFC 5246 7.4.5, 7.4.7.1, 7.2.2")
        }
        // RFC 5246 7.4.1.4: an extension the client did not offer aborts
        // the handshake (only types no client offers are generated).
        Knob::AddExtension { typ: ExtensionType::Unknown(_), .. } if role == Role::Server && tls => {
            must_refuse("RFC 5246 7.4.1.4")
        }
        // RFC 5246 7.4.1.3, E.1: never a version above the client's.
        Knob::ServerHelloVersion(v) if role == Role::Server && v.get() > ProtocolVersion::Tls12.get() => {
            must_refuse("RFC 5246 7.4.1.3, E.1")
        }
        // RFC 5246 6: an unknown record type is unexpected_message (TLS
        // 1.0 and 1.1 said to ignore it, RFC 2246 6, RFC 4346 6).
        Knob::InjectRecord { at, content_type: ContentType::Unknown(_), payload }
            if case.version == crate::vector::Version::Tls12
                && !payload.bytes().is_empty()
                && anchor_fires(*at, case) =>
        {
            must_refuse_at(*at, "RFC 5246 6")
        }
        // RFC 5246 7.2, 7.2.2: a fatal alert closes the connection at once.
        Knob::InjectAlert { at, level: AlertLevel::Fatal, .. } if anchor_fires(*at, case) => {
            must_refuse_at(*at, "RFC 5246 7.2.2")
        }
        _ => MAY,
    }
}

/// A field mutation that the transcript does not cover: the peer's
/// Finished check must fail (RFC 5246 7.4.9), whatever the field. With
/// the transcript following the wire, only a changed verify_data is sure
/// to be refused.
fn field_duty(m: &FieldMutation) -> Duty {
    if !m.integrity && m.message != HandshakeType::Finished && m.message != HandshakeType::HelloRequest {
        return must_refuse("RFC 5246 7.4.9 (the Finished hash covers every handshake message)");
    }
    if m.message == HandshakeType::Finished && !matches!(m.op, FieldOp::Flip(f) if f.xor == 0) {
        return must_refuse("RFC 5246 7.4.9");
    }
    MAY
}

/// Whether the mutation only counts once the engine saw it change a
/// message (a field path absent from the message changes nothing).
pub fn needs_applied(knob: &Knob) -> Option<&FieldMutation> {
    match knob {
        Knob::MutateField(m) => Some(m),
        _ => None,
    }
}

/// The duty of the case's configuration: an identity a verifying peer must
/// refuse (RFC 5246 7.4.2, RFC 5280 6.1). A client certificate only counts
/// when the peer server requires one (RFC 5246 7.4.6 lets a server that
/// merely requests it go on unauthenticated).
pub fn config_duty(case: &FuzzCase) -> Duty {
    let bad =
        matches!(case.identity.as_deref(), Some("untrusted-server" | "untrusted-client" | "expired-client"));
    match case.engine_role {
        _ if !bad => Duty { class: Class::MustComplete, rfc: "" },
        Role::Server if !case.resume => must_refuse("RFC 5246 7.4.2, RFC 5280 6.1"),
        Role::Client if case.client_auth == ClientAuth::Require && !case.resume => {
            must_refuse("RFC 5246 7.4.6, RFC 5280 6.1")
        }
        _ => MAY,
    }
}

/// The case's duty: the strongest of its parts, and every RFC cited. A
/// field mutation that was not applied is left out (`applied` lists the
/// ones that were).
pub fn case_duty(case: &FuzzCase, applied: &[FieldMutation], cancelled: &[HandshakeType]) -> (Class, String) {
    let mut class = Class::MustComplete;
    let mut rfcs: Vec<&str> = Vec::new();
    // A message whose knobs undid each other went out honest: they owe
    // nothing (a pad of four bytes then a cut of four).
    let parts = case
        .mutations
        .iter()
        .filter(|k| needs_applied(k).is_none_or(|m| applied.contains(m)))
        .filter(|k| shaped_message(k).is_none_or(|t| !cancelled.contains(&t)))
        .map(|k| duty(k, case))
        .chain(std::iter::once(config_duty(case)));
    // The strongest duty wins, cited by the parts that impose it.
    for d in parts {
        if d.class > class {
            class = d.class;
            rfcs.clear();
        }
        if d.class == class {
            rfcs.push(d.rfc);
        }
    }
    let mut seen = Vec::new();
    rfcs.retain(|r| {
        !r.is_empty() && !seen.contains(r) && {
            seen.push(*r);
            true
        }
    });
    (class, rfcs.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shakedown_engine::crypto::record::ByteFlip;
    use shakedown_engine::deviate::Payload;

    fn case(mutations: Vec<Knob>) -> FuzzCase {
        FuzzCase {
            version: crate::vector::Version::Tls12,
            suite: "AES128-SHA".into(),
            engine_role: Role::Client,
            client_auth: ClientAuth::Off,
            identity: None,
            resume: false,
            mutations,
        }
    }

    #[test]
    fn a_corrupt_finished_outweighs_reshaping() {
        let c = case(vec![Knob::FragmentHandshake(3), Knob::CorruptFinished(ByteFlip { index: 0, xor: 1 })]);
        let (class, rfc) = case_duty(&c, &[], &[]);
        assert_eq!(class, Class::MustRefuse);
        assert!(rfc.contains("7.4.9") && !rfc.contains("6.2.1"), "{rfc}");
        assert_eq!(case_duty(&case(vec![Knob::CoalesceHandshake]), &[], &[]).0, Class::MustComplete);
        assert_eq!(case_duty(&case(vec![Knob::CcsTwice]), &[], &[]).0, Class::MayRefuse);
    }

    #[test]
    fn a_fatal_alert_after_the_handshake_is_refused_in_the_data() {
        let alert = |at| Knob::InjectAlert {
            at,
            level: AlertLevel::Fatal,
            description: shakedown_engine::msgs::enums::AlertDescription::CloseNotify,
        };
        let after = case_duty(&case(vec![alert(Anchor::AfterHandshake)]), &[], &[]);
        assert_eq!(after, (Class::MustRefuseData, "RFC 5246 7.2.2".to_string()));
        let after_finished = case_duty(&case(vec![alert(Anchor::After(HandshakeType::Finished))]), &[], &[]);
        assert_eq!(after_finished.0, Class::MustRefuseData);
        let before = case_duty(&case(vec![alert(Anchor::BeforeChangeCipherSpec)]), &[], &[]);
        assert_eq!(before.0, Class::MustRefuse);
        // A must-refuse part outweighs it.
        let both = vec![alert(Anchor::AfterHandshake), Knob::CorruptFinished(ByteFlip { index: 0, xor: 1 })];
        assert_eq!(case_duty(&case(both), &[], &[]).0, Class::MustRefuse);
    }

    #[test]
    fn an_unapplied_field_mutation_counts_for_nothing() {
        let m = FieldMutation {
            message: HandshakeType::ClientHello,
            path: "session_id".into(),
            op: FieldOp::Extend(Payload::Hex(vec![1])),
            fix_lengths: true,
            integrity: false,
        };
        let c = case(vec![Knob::MutateField(m.clone())]);
        assert_eq!(case_duty(&c, &[], &[]).0, Class::MustComplete);
        assert_eq!(case_duty(&c, &[m], &[]).0, Class::MustRefuse);
    }
}
