//! Why a certificate or chain was refused, and the alert that says so
//! (RFC 5246 7.2.2). `index` is the position in the chain as received
//! (0 = the leaf).

use std::fmt;

use crate::msgs::enums::AlertDescription;

/// Every way certificate loading or chain validation fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertError {
    /// The peer sent no certificate at all.
    EmptyChain,
    /// More certificates than [`super::MAX_CHAIN_LEN`].
    ChainTooLong { len: usize, max: usize },
    /// The DER does not parse as an X.509 certificate.
    Malformed { index: usize },
    /// Bytes follow the certificate's outer SEQUENCE.
    TrailingBytes { index: usize, left: usize },
    /// The same extension OID twice (RFC 5280 4.2: "MUST NOT include more
    /// than one instance of a particular extension").
    DuplicateExtension { index: usize },
    /// A known extension whose value does not parse.
    BadExtension { index: usize },
    /// A critical extension this validator does not process (RFC 5280 4.2).
    UnhandledCriticalExtension { index: usize },
    /// An issuing CA certificate that is not version 3, or extensions in a
    /// v1/v2 certificate (RFC 5280 4.1.2.1).
    BadVersion { index: usize },
    /// The inner and outer signature AlgorithmIdentifiers differ
    /// (RFC 5280 4.1.1.2).
    SignatureAlgorithmMismatch { index: usize },
    /// A signature algorithm other than sha1/sha256/sha384/sha512WithRSA.
    UnsupportedSignatureAlgorithm { index: usize },
    /// The signature does not verify under the issuer's key.
    BadSignature { index: usize },
    /// No issuer for this certificate in the chain or among the anchors.
    UnknownIssuer { index: usize },
    /// `now` is after notAfter.
    Expired { index: usize },
    /// `now` is before notBefore.
    NotYetValid { index: usize },
    /// An issuer without basicConstraints cA=true (RFC 5280 6.1.4 (k)).
    IssuerNotCa { index: usize },
    /// An issuer's pathLenConstraint is exceeded (RFC 5280 6.1.4 (m)).
    PathLenExceeded { index: usize },
    /// An issuer whose keyUsage lacks keyCertSign (RFC 5280 6.1.4 (n)).
    IssuerKeyUsage { index: usize },
    /// The leaf's keyUsage does not allow the purpose (RFC 5280 4.2.1.3;
    /// RFC 5246 7.4.2: RSA key exchange needs keyEncipherment).
    LeafKeyUsage,
    /// The leaf's extendedKeyUsage lacks the purpose (RFC 5280 4.2.1.12).
    ExtendedKeyUsage,
    /// The server name matches no subjectAltName (or CN) (RFC 6125 6).
    NameMismatch,
    /// A certificate key that is not RSA, or an RSA key the rsa crate
    /// refuses (for example under 1024 bits).
    UnsupportedKey { index: usize },
    /// Text without a single usable PEM block of the wanted kind.
    NoPem { wanted: &'static str },
    /// A PEM block whose framing or base64 is broken.
    BadPem,
    /// A private key that is neither PKCS#8 nor PKCS#1 RSA.
    BadPrivateKey,
}

impl CertError {
    /// The alert RFC 5246 7.2.2 prescribes. SSL 3.0 has no unknown_ca; the
    /// state machine maps to the SSL3 alert set itself.
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::Expired { .. } | Self::NotYetValid { .. } => AlertDescription::CertificateExpired,
            Self::UnknownIssuer { .. } => AlertDescription::UnknownCa,
            Self::UnsupportedSignatureAlgorithm { .. } | Self::UnsupportedKey { .. } => {
                AlertDescription::UnsupportedCertificate
            }
            // Local configuration problems, not the peer's fault.
            Self::NoPem { .. } | Self::BadPem | Self::BadPrivateKey => AlertDescription::InternalError,
            Self::EmptyChain
            | Self::ChainTooLong { .. }
            | Self::Malformed { .. }
            | Self::TrailingBytes { .. }
            | Self::DuplicateExtension { .. }
            | Self::BadExtension { .. }
            | Self::UnhandledCriticalExtension { .. }
            | Self::BadVersion { .. }
            | Self::SignatureAlgorithmMismatch { .. }
            | Self::BadSignature { .. }
            | Self::IssuerNotCa { .. }
            | Self::PathLenExceeded { .. }
            | Self::IssuerKeyUsage { .. }
            | Self::LeafKeyUsage
            | Self::ExtendedKeyUsage
            | Self::NameMismatch => AlertDescription::BadCertificate,
        }
    }
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyChain => write!(f, "empty certificate chain"),
            Self::ChainTooLong { len, max } => {
                write!(f, "certificate chain of {len} over the limit of {max}")
            }
            Self::Malformed { index } => write!(f, "certificate {index}: malformed DER"),
            Self::TrailingBytes { index, left } => {
                write!(f, "certificate {index}: {left} trailing bytes")
            }
            Self::DuplicateExtension { index } => {
                write!(f, "certificate {index}: duplicate extension")
            }
            Self::BadExtension { index } => write!(f, "certificate {index}: malformed extension"),
            Self::UnhandledCriticalExtension { index } => {
                write!(f, "certificate {index}: unhandled critical extension")
            }
            Self::BadVersion { index } => write!(f, "certificate {index}: wrong X.509 version"),
            Self::SignatureAlgorithmMismatch { index } => {
                write!(f, "certificate {index}: inner and outer signature algorithms differ")
            }
            Self::UnsupportedSignatureAlgorithm { index } => {
                write!(f, "certificate {index}: unsupported signature algorithm")
            }
            Self::BadSignature { index } => write!(f, "certificate {index}: bad signature"),
            Self::UnknownIssuer { index } => write!(f, "certificate {index}: unknown issuer"),
            Self::Expired { index } => write!(f, "certificate {index}: expired"),
            Self::NotYetValid { index } => write!(f, "certificate {index}: not yet valid"),
            Self::IssuerNotCa { index } => write!(f, "certificate {index}: issuer is not a CA"),
            Self::PathLenExceeded { index } => {
                write!(f, "certificate {index}: pathLenConstraint exceeded")
            }
            Self::IssuerKeyUsage { index } => {
                write!(f, "certificate {index}: issuer keyUsage lacks keyCertSign")
            }
            Self::LeafKeyUsage => write!(f, "leaf keyUsage does not allow this purpose"),
            Self::ExtendedKeyUsage => write!(f, "leaf extendedKeyUsage lacks this purpose"),
            Self::NameMismatch => write!(f, "certificate does not match the server name"),
            Self::UnsupportedKey { index } => {
                write!(f, "certificate {index}: key is not a usable RSA key")
            }
            Self::NoPem { wanted } => write!(f, "no PEM {wanted} block found"),
            Self::BadPem => write!(f, "malformed PEM block"),
            Self::BadPrivateKey => write!(f, "not a PKCS#8 or PKCS#1 RSA private key"),
        }
    }
}

impl std::error::Error for CertError {}
