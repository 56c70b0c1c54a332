//! The abstract inputs for learning a server: what the client side sends.
//! Honest messages (each computed from the connection so far) and
//! misbehaviour symbols taken from the knob families, so a model shows
//! where a server accepts what it must refuse.

use shakedown_engine::msgs::enums::ProtocolVersion;

use super::sul::Input;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// Offers the configured suite (RFC 5246 7.4.1.2) and secure
    /// renegotiation (RFC 5746 3.4, 3.5): an empty renegotiation_info on
    /// the first handshake (the SCSV in SSL 3.0, whose first hello carries
    /// no extensions), the client's last verify_data once a handshake is
    /// done, so a server that renegotiates securely can.
    ClientHello,
    /// The same hello with a renegotiation_info the server must refuse:
    /// on the first handshake a non-empty one (RFC 5746 3.6: abort with
    /// handshake_failure), after it the client's verify_data with a
    /// flipped byte (3.7: abort). A server that declines renegotiation
    /// may instead refuse it with no_renegotiation (RFC 5246 7.4.1.2).
    ClientHelloWrongRenegotiationInfo,
    /// Offers only a suite no one implements (a GREASE value, RFC 8701):
    /// handshake_failure is due (RFC 5246 7.4.1.3).
    ClientHelloUnknownSuites,
    /// RSA-encrypted premaster, client_version first (RFC 5246 7.4.7.1).
    ClientKeyExchange,
    /// PKCS#1 block type 1 instead of 2: the server must go on with a
    /// random premaster (RFC 5246 7.4.7.1), failing only at Finished.
    ClientKeyExchangeBadPkcs1,
    /// Premaster with another version than the ClientHello's.
    ClientKeyExchangeWrongVersion,
    /// Certificate with no certificates (RFC 5246 7.4.6).
    EmptyCertificate,
    /// The client's chain.
    ClientCertificate,
    /// A chain from a CA the server does not trust: bad_certificate or
    /// unknown_ca is due (RFC 5246 7.4.6, 7.2.2). CertificateVerify then
    /// signs with its key.
    ClientCertificateUntrusted,
    /// Signed over the transcript so far (RFC 5246 7.4.8).
    CertificateVerify,
    /// The same with a flipped signature byte.
    CertificateVerifyBadSignature,
    /// RFC 5246 7.1; installs our write keys when they are known.
    ChangeCipherSpec,
    /// verify_data over the transcript so far (RFC 5246 7.4.9).
    Finished,
    /// verify_data with a flipped byte: decrypt_error is due.
    FinishedBadVerifyData,
    ApplicationData,
    /// Application data with a flipped MAC byte: bad_record_mac is due
    /// (RFC 5246 6.2.3).
    ApplicationDataBadMac,
    /// Application data with a flipped padding_length byte (CBC suites;
    /// under other suites the byte flipped is still part of the MAC).
    ApplicationDataBadPadding,
    /// Warning close_notify (RFC 5246 7.2.1).
    CloseNotify,
    /// The SSL 3.0 no_certificate warning alert (RFC 6101 5.4); TLS has
    /// no such alert.
    NoCertificate,
}

pub const ALL: [Symbol; 19] = [
    Symbol::ClientHello,
    Symbol::ClientHelloWrongRenegotiationInfo,
    Symbol::ClientHelloUnknownSuites,
    Symbol::ClientKeyExchange,
    Symbol::ClientKeyExchangeBadPkcs1,
    Symbol::ClientKeyExchangeWrongVersion,
    Symbol::EmptyCertificate,
    Symbol::ClientCertificate,
    Symbol::ClientCertificateUntrusted,
    Symbol::CertificateVerify,
    Symbol::CertificateVerifyBadSignature,
    Symbol::ChangeCipherSpec,
    Symbol::Finished,
    Symbol::FinishedBadVerifyData,
    Symbol::ApplicationData,
    Symbol::ApplicationDataBadMac,
    Symbol::ApplicationDataBadPadding,
    Symbol::CloseNotify,
    Symbol::NoCertificate,
];

/// The well-formed symbols: they can show order bugs only.
pub const BASIC: [Symbol; 10] = [
    Symbol::ClientHello,
    Symbol::ClientKeyExchange,
    Symbol::EmptyCertificate,
    Symbol::ClientCertificate,
    Symbol::CertificateVerify,
    Symbol::ChangeCipherSpec,
    Symbol::Finished,
    Symbol::ApplicationData,
    Symbol::CloseNotify,
    Symbol::NoCertificate,
];

impl Symbol {
    pub fn name(self) -> &'static str {
        match self {
            Self::ClientHello => "ClientHello",
            Self::ClientHelloWrongRenegotiationInfo => "ClientHelloWrongRenegotiationInfo",
            Self::ClientHelloUnknownSuites => "ClientHelloUnknownSuites",
            Self::ClientKeyExchange => "ClientKeyExchange",
            Self::ClientKeyExchangeBadPkcs1 => "ClientKeyExchangeBadPkcs1",
            Self::ClientKeyExchangeWrongVersion => "ClientKeyExchangeWrongVersion",
            Self::EmptyCertificate => "EmptyCertificate",
            Self::ClientCertificate => "ClientCertificate",
            Self::ClientCertificateUntrusted => "ClientCertificateUntrusted",
            Self::CertificateVerify => "CertificateVerify",
            Self::CertificateVerifyBadSignature => "CertificateVerifyBadSignature",
            Self::ChangeCipherSpec => "ChangeCipherSpec",
            Self::Finished => "Finished",
            Self::FinishedBadVerifyData => "FinishedBadVerifyData",
            Self::ApplicationData => "ApplicationData",
            Self::ApplicationDataBadMac => "ApplicationDataBadMac",
            Self::ApplicationDataBadPadding => "ApplicationDataBadPadding",
            Self::CloseNotify => "CloseNotify",
            Self::NoCertificate => "NoCertificate",
        }
    }

    /// Whether `version` can express the symbol.
    pub fn expressible_in(self, version: ProtocolVersion) -> bool {
        match self {
            Self::NoCertificate => version.is_ssl3(),
            _ => true,
        }
    }
}

/// The symbols `spec` names: `basic`, `full` (`all`), or names separated
/// by commas (or the path of a file with one name per line, `#` starting a
/// comment), matched without regard to case.
pub fn named<T: Input>(spec: &str, basic: &[T], all: &[T]) -> Result<Vec<T>, String> {
    let wanted: Vec<T> = match spec {
        "basic" => basic.to_vec(),
        "full" => all.to_vec(),
        other => {
            let text = match std::path::Path::new(other).is_file() {
                true => std::fs::read_to_string(other).map_err(|e| format!("{other}: {e}"))?,
                false => other.to_owned(),
            };
            text.split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty() && !s.starts_with('#'))
                .map(|s| {
                    all.iter().copied().find(|x| x.name().eq_ignore_ascii_case(s)).ok_or_else(|| {
                        let known: Vec<&str> = all.iter().map(|x| x.name()).collect();
                        format!("unknown symbol `{s}` (known: {})", known.join(", "))
                    })
                })
                .collect::<Result<_, _>>()?
        }
    };
    if wanted.is_empty() {
        return Err("the alphabet is empty".into());
    }
    Ok(wanted)
}

/// An alphabet for learning a server. Symbols the version cannot express
/// are dropped and named in the second list.
pub fn parse_alphabet(spec: &str, version: ProtocolVersion) -> Result<(Vec<Symbol>, Vec<Symbol>), String> {
    let (ok, dropped): (Vec<Symbol>, Vec<Symbol>) =
        named(spec, &BASIC, &ALL)?.into_iter().partition(|s| s.expressible_in(version));
    if ok.is_empty() {
        return Err("the alphabet is empty".into());
    }
    Ok((ok, dropped))
}
