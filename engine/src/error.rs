//! Errors, one enum per failure family, and the one place each is mapped to
//! the alert the RFCs say to send.

use std::fmt;

use crate::codec::DecodeError;
pub use crate::crypto::record::RecordError;
use crate::msgs::enums::{AlertDescription, ContentType, HandshakeType, ProtocolVersion};

/// The peer sent something well-formed that the protocol forbids here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerMisbehaved {
    /// A message arrived in a state that awaits another (RFC 5246 7.4).
    UnexpectedMessage { expected: &'static str, got: String },
    /// The server picked a suite the client did not offer (RFC 5246 7.4.1.3).
    SuiteNotOffered(crate::msgs::enums::CipherSuite),
    /// The server picked a compression method the client did not offer.
    CompressionNotOffered(crate::msgs::enums::Compression),
    /// The ClientHello lacks the null compression method (RFC 5246 7.4.1.2).
    NullCompressionMissing,
    /// A TLS_FALLBACK_SCSV retry below the server's best version
    /// (RFC 7507 3).
    InappropriateFallback,
    /// No suite both sides support (RFC 5246 7.4.1.3).
    NoCommonSuite,
    /// No version both sides support, or the server chose one above the
    /// client's offer (RFC 5246 E.1).
    UnsupportedVersion(ProtocolVersion),
    /// The server's version is not the one the client resumed with.
    ResumptionVersionMismatch,
    /// The server resumed with a suite other than the session's.
    ResumptionSuiteMismatch,
    /// verify_data did not match (RFC 5246 7.4.9).
    BadFinished,
    /// The CertificateVerify signature did not verify (RFC 5246 7.4.8).
    BadCertificateVerify,
    /// A CertificateVerify with a hash the server did not request.
    CertificateVerifyHashNotOffered,
    /// Client authentication was required and no certificate came
    /// (RFC 5246 7.4.6: the server may abort with handshake_failure).
    ClientCertificateRequired,
    /// An empty Certificate from a server.
    EmptyServerCertificate,
    /// A ServerKeyExchange in an RSA key exchange suite (RFC 5246 7.4.3).
    ServerKeyExchangeInRsaSuite,
    /// An extension the server sent without the client offering it
    /// (RFC 5246 7.4.1.4).
    UnsolicitedExtension(crate::msgs::enums::ExtensionType),
    /// The same extension twice in one hello (RFC 5246 7.4.1.4).
    DuplicateExtension(crate::msgs::enums::ExtensionType),
    /// renegotiation_info does not carry what RFC 5746 3.4-3.7 requires.
    BadRenegotiationInfo,
    /// The extended_master_secret state of a resumption differs from the
    /// session's (RFC 7627 5.2-5.3).
    ExtendedMasterSecretMismatch,
    /// A renegotiation that policy forbids.
    RenegotiationRefused,
    /// ChangeCipherSpec arrived while a handshake message was half received.
    ChangeCipherSpecMidMessage,
    /// An empty record of a type that may not be empty, or too many empty
    /// records in a row.
    TooManyEmptyRecords,
    /// Too many warning alerts in a row.
    TooManyWarningAlerts,
    /// A record of a content type this engine does not know.
    UnknownContentType(ContentType),
    /// Application data before the handshake finished.
    ApplicationDataBeforeHandshake,
    /// A handshake message of an unknown or unhandled type.
    UnknownHandshakeType(HandshakeType),
    /// A CertificateRequest with no certificate type the client can use.
    NoUsableCertificateType,
    /// The premaster's PKCS#1 padding was bad. Only the flawed built-in
    /// peer says so (`Flaw::PaddingAnswerOracle`); the honest engine never
    /// tells (RFC 5246 7.4.7.1).
    BadPremasterPadding,
    /// A ServerHello without renegotiation_info to a client that requires
    /// it (RFC 5746 4.1).
    SecureRenegotiationNotSignalled,
    /// A renegotiation would drop encrypt-then-MAC (RFC 7366 3.1).
    EncryptThenMacDowngrade,
}

/// Everything that ends a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A message did not decode.
    InvalidMessage(DecodeError),
    PeerMisbehaved(PeerMisbehaved),
    Record(RecordError),
    /// The peer's certificate chain did not verify.
    Certificate(crate::x509::CertError),
    /// The peer sent a fatal alert: nothing is sent back.
    AlertReceived(AlertDescription),
    /// The peer closed the transport without close_notify.
    UnexpectedEof,
    /// A cryptographic operation of our own failed (a key that cannot do
    /// what the suite needs, say): not the peer's doing.
    Crypto(CryptoFailure),
    /// The caller asked to send on a connection that cannot send.
    CannotSend(CannotSend),
    /// An invariant of the engine broke: a bug here, never the peer.
    Internal(&'static str),
    /// The application ended the connection with this fatal alert
    /// ([`crate::Connection::abort`]); it was sent already.
    Aborted(AlertDescription),
}

/// Which of our own cryptographic steps failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CryptoFailure {
    /// RSA encryption of the premaster (RFC 5246 7.4.7.1).
    PremasterEncryption,
    /// No PKCS#1 v1.5 signature over the CertificateVerify hash.
    NoSignatureForHash,
    /// The CertificateVerify signature.
    Signing,
    /// The CertificateVerify digest (a hash the version cannot use).
    CertificateVerifyDigest,
    /// The extended master secret (RFC 7627 4).
    ExtendedMasterSecret,
    /// The key block (RFC 5246 6.3).
    KeyBlock,
    /// Record protection from the key block.
    RecordProtection,
}

/// Why application data cannot be sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CannotSend {
    /// The handshake has not completed.
    Handshaking,
    /// The connection failed (and sent or received a fatal alert).
    Failed,
    /// close_notify went out, ours or in answer to the peer's (RFC 5246
    /// 7.2.1): the peer may have closed right after its Finished.
    Closed,
}

impl Error {
    /// The alert to send for this error, in the alert set of `version`.
    /// None when nothing should be sent (the peer already sent a fatal alert).
    pub fn alert(&self, version: ProtocolVersion) -> Option<AlertDescription> {
        let tls = self.tls_alert()?;
        Some(if version.is_ssl3() { ssl3_alert(tls) } else { tls })
    }

    /// The TLS 1.0-1.2 alert (RFC 5246 7.2.2).
    fn tls_alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        use PeerMisbehaved as P;
        Some(match self {
            Self::InvalidMessage(_) => A::DecodeError,
            Self::Record(RecordError::BadRecordMac) => A::BadRecordMac,
            Self::Record(RecordError::RecordOverflow) => A::RecordOverflow,
            Self::Certificate(e) => e.alert(),
            Self::AlertReceived(_) | Self::UnexpectedEof | Self::Aborted(_) => return None,
            Self::Crypto(_) | Self::Internal(_) => A::InternalError,
            // Nothing went wrong on the wire: nothing to say to the peer.
            Self::CannotSend(_) => return None,
            Self::PeerMisbehaved(p) => match p {
                P::UnexpectedMessage { .. }
                | P::ServerKeyExchangeInRsaSuite
                | P::ChangeCipherSpecMidMessage
                | P::TooManyEmptyRecords
                | P::TooManyWarningAlerts
                | P::UnknownContentType(_)
                | P::ApplicationDataBeforeHandshake
                | P::UnknownHandshakeType(_) => A::UnexpectedMessage,
                P::SuiteNotOffered(_)
                | P::CompressionNotOffered(_)
                | P::ResumptionVersionMismatch
                | P::ResumptionSuiteMismatch
                | P::CertificateVerifyHashNotOffered
                | P::DuplicateExtension(_) => A::IllegalParameter,
                // OpenSSL, GnuTLS and BoringSSL all send decode_error here.
                P::NullCompressionMissing => A::DecodeError,
                P::NoCommonSuite
                | P::ClientCertificateRequired
                | P::BadRenegotiationInfo
                | P::ExtendedMasterSecretMismatch
                | P::NoUsableCertificateType
                | P::BadPremasterPadding
                | P::SecureRenegotiationNotSignalled
                | P::EncryptThenMacDowngrade => A::HandshakeFailure,
                P::UnsupportedVersion(_) => A::ProtocolVersion,
                P::InappropriateFallback => A::InappropriateFallback,
                P::BadFinished | P::BadCertificateVerify => A::DecryptError,
                P::EmptyServerCertificate => A::DecodeError,
                P::UnsolicitedExtension(_) => A::UnsupportedExtension,
                P::RenegotiationRefused => A::NoRenegotiation,
            },
        })
    }
}

/// SSL 3.0 has a smaller alert set (RFC 6101 5.4.2). RFC 6101 gives no
/// mapping; this follows OpenSSL's ssl3_alert_code, the de facto one.
pub fn ssl3_alert(tls: AlertDescription) -> AlertDescription {
    use AlertDescription as A;
    if tls.exists_in_ssl3() {
        return tls;
    }
    match tls {
        A::DecryptionFailed | A::RecordOverflow => A::BadRecordMac,
        A::UnknownCa => A::BadCertificate,
        _ => A::HandshakeFailure,
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Self::InvalidMessage(e)
    }
}

impl From<PeerMisbehaved> for Error {
    fn from(e: PeerMisbehaved) -> Self {
        Self::PeerMisbehaved(e)
    }
}

impl From<RecordError> for Error {
    fn from(e: RecordError) -> Self {
        Self::Record(e)
    }
}

impl From<crate::x509::CertError> for Error {
    fn from(e: crate::x509::CertError) -> Self {
        Self::Certificate(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMessage(e) => write!(f, "invalid message: {e}"),
            Self::PeerMisbehaved(p) => write!(f, "peer misbehaved: {p:?}"),
            Self::Record(r) => write!(f, "record rejected: {r:?}"),
            Self::Certificate(c) => write!(f, "certificate rejected: {c:?}"),
            Self::AlertReceived(a) => write!(f, "received fatal alert {a}"),
            Self::UnexpectedEof => f.write_str("peer closed the connection without close_notify"),
            Self::Crypto(c) => write!(f, "our own cryptography failed: {c:?}"),
            Self::CannotSend(CannotSend::Handshaking) => {
                f.write_str("cannot send: the handshake is not complete")
            }
            Self::CannotSend(CannotSend::Failed) => f.write_str("cannot send: the connection failed"),
            Self::CannotSend(CannotSend::Closed) => {
                f.write_str("cannot send: the connection is closed (close_notify sent or received)")
            }
            Self::Internal(s) => write!(f, "internal error (a bug in shakedown): {s}"),
            Self::Aborted(a) => write!(f, "aborted by the application with fatal alert {a}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use AlertDescription as A;

    #[test]
    fn ssl3_never_sends_tls_only_alerts() {
        let errors = [
            Error::InvalidMessage(DecodeError::TrailingBytes { what: "x", left: 1 }),
            Error::PeerMisbehaved(PeerMisbehaved::BadFinished),
            Error::PeerMisbehaved(PeerMisbehaved::UnsupportedVersion(ProtocolVersion::Tls13)),
            Error::PeerMisbehaved(PeerMisbehaved::UnsolicitedExtension(
                crate::msgs::enums::ExtensionType::EncryptThenMac,
            )),
            Error::Record(RecordError::RecordOverflow),
            Error::Crypto(CryptoFailure::KeyBlock),
            Error::Internal("x"),
        ];
        for e in errors {
            let a = e.alert(ProtocolVersion::Ssl3).unwrap();
            assert!(a.exists_in_ssl3(), "{e:?} maps to {a} in SSL 3.0");
        }
    }

    #[test]
    fn rfc_alerts_per_failure() {
        let tls = ProtocolVersion::Tls12;
        assert_eq!(Error::from(PeerMisbehaved::BadFinished).alert(tls), Some(A::DecryptError));
        assert_eq!(
            Error::from(PeerMisbehaved::BadFinished).alert(ProtocolVersion::Ssl3),
            Some(A::HandshakeFailure)
        );
        assert_eq!(Error::from(RecordError::BadRecordMac).alert(tls), Some(A::BadRecordMac));
        assert_eq!(
            Error::from(PeerMisbehaved::ClientCertificateRequired).alert(tls),
            Some(A::HandshakeFailure)
        );
        assert_eq!(
            Error::from(PeerMisbehaved::SuiteNotOffered(crate::msgs::enums::CipherSuite::Unknown(1)))
                .alert(tls),
            Some(A::IllegalParameter)
        );
        assert_eq!(Error::AlertReceived(A::HandshakeFailure).alert(tls), None);
    }
}
