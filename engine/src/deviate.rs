//! Misbehaviour knobs: exact, reproducible ways for the engine to break the
//! protocol on purpose, in the spirit of BoringSSL's ProtocolBugs. Each knob
//! is a serialisable value a JSON vector can list; the honest engine is the
//! engine with none set.
//!
//! A knob says what goes wrong on the wire, never which check the peer
//! should make: the vector's expectation says that.

pub mod field;

use serde::{Deserialize, Serialize};

use crate::crypto::record::{ByteFlip, SealTweak};
use crate::crypto::rsa_kx::Pkcs1Tweak;
use crate::msgs::enums::{
    AlertDescription, AlertLevel, CipherSuite, Compression, ContentType, ExtensionType, HandshakeType,
    HashAlgorithm, ProtocolVersion,
};

/// A payload given in a vector: hex bytes, or `len` filler bytes. Decoded
/// when the vector loads, so a bad payload is a load error naming its
/// field, never bytes silently sent empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPayload", into = "RawPayload")]
pub enum Payload {
    /// These bytes (written as hex in a vector, whitespace allowed).
    Hex(Vec<u8>),
    /// This many bytes of 0x42, at most [`Payload::MAX_FILLER`].
    Filler(usize),
}

/// A payload as a vector spells it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RawPayload {
    Hex(String),
    Filler(usize),
}

impl Payload {
    /// The largest filler a vector may ask for: beyond any record or
    /// handshake message limit (2^24 is the u24 length's own bound), so
    /// every limit stays testable, and nothing larger is ever built.
    pub const MAX_FILLER: usize = 1 << 24;

    /// Bytes from hex (whitespace allowed).
    pub fn hex(h: &str) -> Result<Self, String> {
        let clean: String = h.chars().filter(|c| !c.is_whitespace()).collect();
        decode_hex(&clean).map(Self::Hex)
    }

    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Self::Hex(b) => b.clone(),
            Self::Filler(n) => vec![0x42; *n],
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Payload {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Payload".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        RawPayload::json_schema(g)
    }
}

impl TryFrom<RawPayload> for Payload {
    type Error = String;

    fn try_from(raw: RawPayload) -> Result<Self, String> {
        match raw {
            RawPayload::Hex(h) => Self::hex(&h),
            RawPayload::Filler(n) if n > Self::MAX_FILLER => {
                Err(format!("filler of {n} bytes is over the limit of {} bytes", Self::MAX_FILLER))
            }
            RawPayload::Filler(n) => Ok(Self::Filler(n)),
        }
    }
}

impl From<Payload> for RawPayload {
    fn from(p: Payload) -> Self {
        match p {
            Payload::Hex(b) => Self::Hex(b.iter().map(|x| format!("{x:02x}")).collect()),
            Payload::Filler(n) => Self::Filler(n),
        }
    }
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("hex `{s}` has an odd number of digits"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
                .ok_or_else(|| format!("`{s}` is not hex"))
        })
        .collect()
}

/// Where an injected record or a held message goes, relative to one of our
/// own handshake messages (or the ChangeCipherSpec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// Before the first record carrying this message.
    Before(HandshakeType),
    /// After the last record carrying this message.
    After(HandshakeType),
    BeforeChangeCipherSpec,
    AfterChangeCipherSpec,
    /// After our last handshake message (the handshake is complete for us).
    AfterHandshake,
}

/// One knob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Knob {
    // ---- hellos -------------------------------------------------------
    /// Client: offer exactly these suites, in this order (any values,
    /// unknown or empty included).
    OfferSuites(Vec<CipherSuite>),
    /// Client: offer this suite after the others (an SCSV, say).
    AppendSuite(CipherSuite),
    /// Either hello: no extensions block at all (not even an empty one).
    NoExtensions,
    /// Client: offer exactly these compression methods.
    OfferCompression(Vec<Compression>),
    /// Client: the client_version of the ClientHello.
    ClientHelloVersion(ProtocolVersion),
    /// Server: select this suite whatever the client offered.
    SelectSuite(CipherSuite),
    /// Server: select this compression method.
    SelectCompression(Compression),
    /// Server: the server_version of the ServerHello (the keys still follow
    /// the negotiated version).
    ServerHelloVersion(ProtocolVersion),
    /// Either hello: leave out this extension.
    OmitExtension(ExtensionType),
    /// Either hello: add this extension (type, body) after the others.
    AddExtension { typ: ExtensionType, body: Payload },
    /// Either hello of a renegotiation only (the first handshake's hello is
    /// left alone): leave out this extension.
    RenegotiationOmitExtension(ExtensionType),
    /// Either hello of a renegotiation only: add this extension (type, body)
    /// after the others.
    RenegotiationAddExtension { typ: ExtensionType, body: Payload },
    /// A renegotiation only (the first handshake is left alone): send a
    /// record of this type at this point, under the keys then in force
    /// (application data between the renegotiation's messages, which RFC
    /// 5246 6.2.1 has a receiver process).
    RenegotiationInjectRecord { at: Anchor, content_type: ContentType, payload: Payload },
    /// Server: resume nothing; a ClientHello naming a cached session gets a
    /// full handshake and a new session id (RFC 5246 7.4.1.3 lets it).
    DeclineResumption,
    /// Client: ask to resume this session id (the server does not know it,
    /// or knows it for another client).
    SessionId(Payload),

    // ---- records ------------------------------------------------------
    /// The version of every record header we send.
    RecordVersion(ProtocolVersion),
    /// Split handshake messages into records of at most this many bytes.
    FragmentHandshake(usize),
    /// Put all handshake messages of a flight into one record.
    CoalesceHandshake,
    /// Tweak the protection of the record carrying this message (MAC,
    /// padding), or of the first application data record when `on` is
    /// absent.
    TweakRecord { on: Option<HandshakeType>, tweak: SealTweak },
    /// Send a record of any content type at this point.
    InjectRecord { at: Anchor, content_type: ContentType, payload: Payload },
    /// Send an alert at this point (a warning in the handshake, say).
    InjectAlert { at: Anchor, level: AlertLevel, description: AlertDescription },
    /// Send this raw handshake message (type and body) at this point.
    InjectHandshake { at: Anchor, typ: HandshakeType, body: Payload },

    // ---- message order ------------------------------------------------
    /// Do not send this message.
    Skip(HandshakeType),
    /// Send this message twice.
    Duplicate(HandshakeType),
    /// Hold this message back and send it after another one.
    Hold { message: HandshakeType, until_after: HandshakeType },
    /// Cut this many bytes off the end of a message's body (the length
    /// field says the shorter length).
    TruncateBody { message: HandshakeType, by: usize },
    /// Append bytes to a message's body (the length field covers them).
    PadBody { message: HandshakeType, bytes: Payload },

    // ---- ChangeCipherSpec ---------------------------------------------
    /// Send ChangeCipherSpec right before this message.
    CcsBefore(HandshakeType),
    /// Send ChangeCipherSpec twice.
    CcsTwice,
    /// Never send ChangeCipherSpec (Finished goes out unprotected).
    CcsNever,
    /// The ChangeCipherSpec body (normally the single byte 01).
    CcsBody(Payload),

    // ---- key exchange -------------------------------------------------
    /// The version bytes at the start of the premaster.
    PremasterVersion(ProtocolVersion),
    /// A premaster of this many bytes (47 or 49 where 48 is right).
    PremasterLength(usize),
    /// Bad PKCS#1 v1.5 padding of the encrypted premaster.
    Pkcs1(Pkcs1Tweak),
    /// Change the RSA ciphertext's length by this many bytes (negative cuts).
    CiphertextLengthDelta(i32),

    // ---- certificates -------------------------------------------------
    /// Client: answer a CertificateRequest with an empty Certificate.
    EmptyCertificate,
    /// Client: answer with the SSL 3.0 no_certificate warning alert.
    NoCertificateAlert,
    /// Client: send our certificate chain although the server asked for
    /// none (before ClientKeyExchange; no CertificateVerify follows).
    UnrequestedCertificate,
    /// Client: flip a byte of the CertificateVerify signature.
    CorruptCertificateVerify(ByteFlip),
    /// Client, TLS 1.2: sign the CertificateVerify with a DigestInfo whose
    /// AlgorithmIdentifier leaves its parameters out rather than NULL (a
    /// valid signature RFC 5246 4.7 has verifiers accept).
    CertificateVerifyWithoutNull,
    /// Client (TLS 1.2): claim this hash in the CertificateVerify while
    /// signing with the one negotiated.
    CertificateVerifyHash(HashAlgorithm),

    // ---- Finished -----------------------------------------------------
    /// Flip bits of our verify_data.
    CorruptFinished(ByteFlip),
    /// Send a verify_data of this length (truncated or zero-extended).
    FinishedLength(usize),

    // ---- after the handshake ------------------------------------------
    /// Start a renegotiation once our handshake is done: a client sends a
    /// new ClientHello, a server a HelloRequest.
    Renegotiate,

    // ---- fields (deviate/field.rs) --------------------------------------
    /// Change one field of one handshake message, addressed by path.
    MutateField(field::FieldMutation),
}

mod set;
pub use set::{Deviations, DeviationsError, shaped_message};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_read_from_vector_json() {
        let json = r#"[
            {"corrupt_finished": {"index": 0, "xor": 1}},
            {"offer_suites": ["TLS_RSA_WITH_AES_128_CBC_SHA", 4919]},
            {"skip": "certificate"},
            {"hold": {"message": "certificate", "until_after": "client_key_exchange"}},
            "ccs_never",
            {"inject_alert": {"at": {"before": "finished"}, "level": "warning", "description": "user_canceled"}},
            {"inject_record": {"at": "after_change_cipher_spec", "content_type": 99, "payload": {"hex": "0102"}}},
            {"pkcs1": {"block_type": 1}},
            {"tweak_record": {"on": "finished", "tweak": {"corrupt_mac": {"index": 0, "xor": 128}}}}
        ]"#;
        let d: Deviations = serde_json::from_str(json).unwrap();
        assert_eq!(d.0.len(), 9);
        assert_eq!(d.0[0], Knob::CorruptFinished(ByteFlip { index: 0, xor: 1 }));
        assert_eq!(
            d.0[1],
            Knob::OfferSuites(vec![CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA, CipherSuite::Unknown(0x1337)])
        );
        assert!(d.has(&Knob::CcsNever));
        let back: Deviations = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn unknown_knob_and_unknown_field_are_errors() {
        let e = serde_json::from_str::<Deviations>(r#"[{"corrupt_finishd": {"index": 0, "xor": 1}}]"#)
            .unwrap_err();
        assert!(e.to_string().contains("corrupt_finishd"), "{e}");
        let e = serde_json::from_str::<Deviations>(r#"[{"corrupt_finished": {"index": 0, "xr": 1}}]"#)
            .unwrap_err();
        assert!(e.to_string().contains("xr"), "{e}");
    }

    #[test]
    fn payloads_decode_when_read_and_bad_ones_are_refused() {
        let p: Payload = serde_json::from_str(r#"{"hex": "01 02ff"}"#).unwrap();
        assert_eq!(p.bytes(), [1, 2, 0xff]);
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"hex":"0102ff"}"#);
        assert_eq!(Payload::Filler(3).bytes(), [0x42; 3]);
        for bad in [r#"{"hex": "123"}"#, r#"{"hex": "zz"}"#, r#"{"hex": "zz1"}"#, r#"{"filler": 16777217}"#] {
            let e = serde_json::from_str::<Payload>(bad).unwrap_err().to_string();
            assert!(e.contains("hex") || e.contains("limit"), "{bad}: {e}");
        }
        let max: Payload = serde_json::from_str(r#"{"filler": 16777216}"#).unwrap();
        assert_eq!(max, Payload::Filler(Payload::MAX_FILLER));
    }
}
