//! The learner's server, for learning a client: turns each abstract input
//! into bytes computed from the connection so far (the client's hello:
//! its random and version; the premaster decrypted from its
//! ClientKeyExchange with the key of the chain sent last; the transcript;
//! record protection after each side's ChangeCipherSpec), whatever order
//! the inputs come in. What cannot be computed yet (a Finished before any
//! ClientKeyExchange) is sent with stand-in values of the right length.

use std::sync::Arc;

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::crypto::key_schedule::{self, MASTER_SECRET_LEN};
use shakedown_engine::crypto::prf::PrfAlgorithm;
use shakedown_engine::crypto::provider::{CryptoProvider, RecordOpen, RecordSeal, RustCrypto};
use shakedown_engine::crypto::record::SealTweak;
use shakedown_engine::crypto::rsa_kx::PREMASTER_LEN;
use shakedown_engine::crypto::transcript::Transcript;
use shakedown_engine::crypto::{ConnectionKeys, RandomSource, SeededRandom, Side};
use shakedown_engine::msgs::enums::{
    AlertDescription, CipherSuite, ClientCertificateType, Compression, ContentType, ExtensionType,
    HandshakeType, HashAlgorithm, ProtocolVersion, SignatureAlgorithm,
};
use shakedown_engine::msgs::{
    CertificateRequest, Extension, Finished, HandshakeContext, HandshakeMessage, HandshakePayload, Random,
    RawHandshake, ServerHello, SessionId, SignatureAndHashAlgorithm,
};
use shakedown_engine::suites::SuiteInfo;

use super::output::Reader;
use super::record::{self, GREASE_SUITE, bad_mac, bad_padding, corrupt_first};

/// The abstract inputs for learning a client: what the server side sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerSymbol {
    /// The configured version and suite, a fresh random (RFC 5246 7.4.1.3).
    ServerHello,
    /// A suite the client did not offer: illegal_parameter is due (7.4.1.3).
    ServerHelloUnofferedSuite,
    /// server_version one above the client's: a version it did not offer,
    /// so protocol_version is due (RFC 5246 E.1).
    ServerHelloUnofferedVersion,
    /// A compression method the client did not offer (deflate, or 0x40 if
    /// it offered deflate): the method must be one of the client's
    /// (7.4.1.3), so illegal_parameter is due.
    ServerHelloUnofferedCompression,
    /// An extension the client did not offer (type 0xff02, private use):
    /// the client MUST abort with unsupported_extension (7.4.1.4).
    ServerHelloUnsolicitedExtension,
    /// The server chain; a later ClientKeyExchange is decrypted with its key.
    Certificate,
    /// A chain from a CA the client does not trust: unknown_ca or
    /// bad_certificate is due (7.4.2, 7.2.2).
    CertificateUntrusted,
    /// rsa_sign, SHA-256 with RSA in TLS 1.2, no authorities (7.4.4).
    CertificateRequest,
    ServerHelloDone,
    /// Installs our write keys when they are known (7.1).
    ChangeCipherSpec,
    /// verify_data over the transcript so far (7.4.9).
    Finished,
    /// verify_data with a flipped byte: decrypt_error is due.
    FinishedBadVerifyData,
    ApplicationData,
    /// A flipped MAC byte: bad_record_mac is due (6.2.3).
    ApplicationDataBadMac,
    /// A flipped padding_length byte (CBC suites; under others the byte
    /// is the MAC's): bad_record_mac is due (6.2.3.2).
    ApplicationDataBadPadding,
    /// 7.4.1.1: the client may ignore it or renegotiate.
    HelloRequest,
    /// Warning close_notify (7.2.1).
    CloseNotify,
}

pub const ALL: [ServerSymbol; 17] = [
    ServerSymbol::ServerHello,
    ServerSymbol::ServerHelloUnofferedSuite,
    ServerSymbol::ServerHelloUnofferedVersion,
    ServerSymbol::ServerHelloUnofferedCompression,
    ServerSymbol::ServerHelloUnsolicitedExtension,
    ServerSymbol::Certificate,
    ServerSymbol::CertificateUntrusted,
    ServerSymbol::CertificateRequest,
    ServerSymbol::ServerHelloDone,
    ServerSymbol::ChangeCipherSpec,
    ServerSymbol::Finished,
    ServerSymbol::FinishedBadVerifyData,
    ServerSymbol::ApplicationData,
    ServerSymbol::ApplicationDataBadMac,
    ServerSymbol::ApplicationDataBadPadding,
    ServerSymbol::HelloRequest,
    ServerSymbol::CloseNotify,
];

/// The well-formed symbols (issue 11's list for clients).
pub const BASIC: [ServerSymbol; 8] = [
    ServerSymbol::ServerHello,
    ServerSymbol::Certificate,
    ServerSymbol::CertificateRequest,
    ServerSymbol::ServerHelloDone,
    ServerSymbol::ChangeCipherSpec,
    ServerSymbol::Finished,
    ServerSymbol::ApplicationData,
    ServerSymbol::HelloRequest,
];

impl ServerSymbol {
    pub fn name(self) -> &'static str {
        match self {
            Self::ServerHello => "ServerHello",
            Self::ServerHelloUnofferedSuite => "ServerHelloUnofferedSuite",
            Self::ServerHelloUnofferedVersion => "ServerHelloUnofferedVersion",
            Self::ServerHelloUnofferedCompression => "ServerHelloUnofferedCompression",
            Self::ServerHelloUnsolicitedExtension => "ServerHelloUnsolicitedExtension",
            Self::Certificate => "Certificate",
            Self::CertificateUntrusted => "CertificateUntrusted",
            Self::CertificateRequest => "CertificateRequest",
            Self::ServerHelloDone => "ServerHelloDone",
            Self::ChangeCipherSpec => "ChangeCipherSpec",
            Self::Finished => "Finished",
            Self::FinishedBadVerifyData => "FinishedBadVerifyData",
            Self::ApplicationData => "ApplicationData",
            Self::ApplicationDataBadMac => "ApplicationDataBadMac",
            Self::ApplicationDataBadPadding => "ApplicationDataBadPadding",
            Self::HelloRequest => "HelloRequest",
            Self::CloseNotify => "CloseNotify",
        }
    }
}

/// A client-learning alphabet: `basic`, `full`, or names (see
/// [`named`](super::symbols::named)).
pub fn parse_alphabet(spec: &str) -> Result<Vec<ServerSymbol>, String> {
    super::symbols::named(spec, &BASIC, &ALL)
}

/// The extension type of ServerHelloUnsolicitedExtension: first byte 255,
/// reserved for private use (RFC 8446 11), so no client offers it.
pub const UNSOLICITED_EXTENSION: u16 = 0xff02;

/// What a ServerHello changes from the honest one.
#[derive(Debug, Default)]
struct Hello {
    version: Option<ProtocolVersion>,
    suite: Option<CipherSuite>,
    compression: Option<Compression>,
    extra: Option<Extension>,
}

/// What the server knows and has set up so far in one connection.
pub struct ServerState {
    version: ProtocolVersion,
    suite: &'static SuiteInfo,
    prf: PrfAlgorithm,
    provider: Arc<dyn CryptoProvider>,
    identity: Arc<CertifiedKey>,
    untrusted: Option<Arc<CertifiedKey>>,
    /// The key of the chain sent last: a ClientKeyExchange is decrypted with it.
    key: Arc<CertifiedKey>,
    rng: SeededRandom,
    pub client_random: Option<[u8; 32]>,
    client_version: ProtocolVersion,
    /// What the client's hello offered besides the version: a misbehaving
    /// ServerHello picks from outside it.
    client_compression: Vec<Compression>,
    client_extensions: Vec<ExtensionType>,
    server_random: [u8; 32],
    /// A ServerHello went out in this handshake: the randoms are fixed.
    hello_sent: bool,
    premaster: Option<[u8; PREMASTER_LEN]>,
    /// Every handshake message sent and received, in order (7.4.9).
    transcript: Transcript,
    write: Option<Box<dyn RecordSeal>>,
    read: Option<Box<dyn RecordOpen>>,
    read_unknown: bool,
    /// The client signalled RFC 5746 (the extension or the SCSV): our
    /// ServerHello answers with renegotiation_info (3.6).
    secure_renegotiation: bool,
    /// This handshake's verify_data, each side's, once sent.
    client_verify: Vec<u8>,
    server_verify: Vec<u8>,
    /// renegotiated_connection for this handshake's ServerHello: both
    /// verify_data of the handshake before, empty for the first (3.5).
    renegotiated_connection: Vec<u8>,
}

impl std::fmt::Debug for ServerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerState")
            .field("version", &self.version)
            .field("suite", &self.suite.openssl_name)
            .finish_non_exhaustive()
    }
}

impl ServerState {
    pub fn new(
        version: ProtocolVersion,
        suite: &'static SuiteInfo,
        identity: Arc<CertifiedKey>,
        untrusted: Option<Arc<CertifiedKey>>,
        seed: u64,
    ) -> Result<Self, String> {
        let prf = PrfAlgorithm::for_suite(version, suite)
            .ok_or_else(|| format!("{} cannot be used with {version}", suite.openssl_name))?;
        let mut rng = SeededRandom::from_seed(seed);
        let mut server_random = [0u8; 32];
        rng.fill(&mut server_random);
        Ok(Self {
            version,
            suite,
            prf,
            provider: Arc::new(RustCrypto),
            key: identity.clone(),
            identity,
            untrusted,
            rng,
            client_random: None,
            client_version: version,
            client_compression: Vec::new(),
            client_extensions: Vec::new(),
            server_random,
            hello_sent: false,
            premaster: None,
            transcript: Transcript::new(),
            write: None,
            read: None,
            read_unknown: false,
            secure_renegotiation: false,
            client_verify: Vec::new(),
            server_verify: Vec::new(),
            renegotiated_connection: Vec::new(),
        })
    }

    fn ctx(&self) -> HandshakeContext {
        HandshakeContext::new(self.version)
    }

    /// The bytes for `symbol`.
    pub fn build(&mut self, symbol: ServerSymbol) -> Vec<u8> {
        use ServerSymbol as S;
        match symbol {
            S::ServerHello => self.server_hello(Hello::default()),
            S::ServerHelloUnofferedSuite => self.server_hello(Hello {
                suite: Some(CipherSuite::from_wire(GREASE_SUITE)),
                ..Hello::default()
            }),
            S::ServerHelloUnofferedVersion => {
                let above = ProtocolVersion::from_wire(self.client_version.get().saturating_add(1));
                self.server_hello(Hello { version: Some(above), ..Hello::default() })
            }
            S::ServerHelloUnofferedCompression => {
                let method = [Compression::Deflate, Compression::from_wire(0x40)]
                    .into_iter()
                    .find(|m| !self.client_compression.contains(m));
                self.server_hello(Hello { compression: method, ..Hello::default() })
            }
            S::ServerHelloUnsolicitedExtension => {
                let typ = ExtensionType::from_wire(UNSOLICITED_EXTENSION);
                let extra = (!self.client_extensions.contains(&typ))
                    .then(|| Extension::Other { typ, body: Vec::new() });
                self.server_hello(Hello { extra, ..Hello::default() })
            }
            S::Certificate => self.certificate(Some(self.identity.clone())),
            S::CertificateUntrusted => self.certificate(self.untrusted.clone()),
            S::CertificateRequest => {
                let tls12 = self.version.get() >= ProtocolVersion::Tls12.get();
                let req = CertificateRequest {
                    certificate_types: vec![ClientCertificateType::RsaSign],
                    signature_algorithms: tls12.then(|| {
                        vec![SignatureAndHashAlgorithm::new(HashAlgorithm::Sha256, SignatureAlgorithm::Rsa)]
                    }),
                    certificate_authorities: Vec::new(),
                };
                self.handshake(HandshakePayload::CertificateRequest(req))
            }
            S::ServerHelloDone => self.handshake(HandshakePayload::ServerHelloDone),
            S::ChangeCipherSpec => self.change_cipher_spec(),
            S::Finished => self.finished(false),
            S::FinishedBadVerifyData => self.finished(true),
            S::ApplicationData => {
                self.record(ContentType::ApplicationData, b"hello\n", &SealTweak::default())
            }
            S::ApplicationDataBadMac => self.record(ContentType::ApplicationData, b"hello\n", &bad_mac()),
            S::ApplicationDataBadPadding => {
                let tweak = bad_padding(self.suite.is_aead());
                self.record(ContentType::ApplicationData, b"hello\n", &tweak)
            }
            S::HelloRequest => {
                // Not part of the transcript (7.4.9).
                let raw = HandshakeMessage::new(HandshakePayload::HelloRequest).to_bytes();
                self.record(ContentType::Handshake, &raw, &SealTweak::default())
            }
            S::CloseNotify => self.record(
                ContentType::Alert,
                &record::warning(AlertDescription::CloseNotify),
                &SealTweak::default(),
            ),
        }
    }

    /// One record in the configured version, protected once our
    /// ChangeCipherSpec made keys current.
    fn record(&mut self, typ: ContentType, payload: &[u8], tweak: &SealTweak) -> Vec<u8> {
        record::seal(&mut self.write, &mut self.rng, typ, self.version, payload, tweak)
    }

    fn handshake(&mut self, payload: HandshakePayload) -> Vec<u8> {
        let raw = HandshakeMessage::new(payload).to_bytes();
        self.transcript.add(&raw);
        self.record(ContentType::Handshake, &raw, &SealTweak::default())
    }

    /// A fresh random each time: a second ServerHello is a new attempt.
    /// The keys follow the configured version and suite whatever `h` says.
    fn server_hello(&mut self, h: Hello) -> Vec<u8> {
        self.rng.fill(&mut self.server_random);
        self.hello_sent = true;
        // SSL 3.0 hellos carry no renegotiation_info here: the SCSV alone.
        let mut extensions: Vec<Extension> = (self.secure_renegotiation && !self.version.is_ssl3())
            .then(|| Extension::RenegotiationInfo(self.renegotiated_connection.clone()))
            .into_iter()
            .collect();
        extensions.extend(h.extra);
        let hello = ServerHello {
            server_version: h.version.unwrap_or(self.version),
            random: Random(self.server_random),
            session_id: SessionId::empty(),
            cipher_suite: h.suite.unwrap_or(self.suite.suite),
            compression_method: h.compression.unwrap_or(Compression::Null),
            extensions: (!extensions.is_empty()).then_some(extensions),
        };
        self.handshake(HandshakePayload::ServerHello(hello))
    }

    fn certificate(&mut self, id: Option<Arc<CertifiedKey>>) -> Vec<u8> {
        let cert = record::certificate(id.as_deref());
        if let Some(id) = id {
            self.key = id;
        }
        self.handshake(HandshakePayload::Certificate(cert))
    }

    /// RFC 5246 8.1, once the premaster and both randoms are known.
    fn master(&self) -> Option<[u8; MASTER_SECRET_LEN]> {
        let premaster = self.premaster?;
        let cr = self.client_random?;
        self.hello_sent.then(|| key_schedule::master_secret(self.prf, &premaster, &cr, &self.server_random))
    }

    fn keys(&self) -> Option<ConnectionKeys> {
        let master = self.master()?;
        let cr = self.client_random?;
        let layout = self.suite.key_block_layout(self.version);
        key_schedule::key_block(self.prf, &master, &cr, &self.server_random, layout).ok()
    }

    fn change_cipher_spec(&mut self) -> Vec<u8> {
        let bytes = self.record(ContentType::ChangeCipherSpec, &[1], &SealTweak::default());
        if let Some(keys) = self.keys() {
            self.write = self.provider.new_sealer(self.suite, self.version, &keys.server_write, false).ok();
        }
        bytes
    }

    fn finished(&mut self, corrupt: bool) -> Vec<u8> {
        let len = self.ctx().verify_data_len();
        let mut verify_data = match self.master() {
            Some(m) => self.provider.verify_data(self.prf, &m, Side::Server, &self.transcript),
            None => vec![0u8; len],
        };
        corrupt_first(&mut verify_data, corrupt);
        self.server_verify.clone_from(&verify_data);
        self.handshake(HandshakePayload::Finished(Finished { verify_data }))
    }
}

impl Reader for ServerState {
    fn read_state(&mut self) -> (&mut Option<Box<dyn RecordOpen>>, bool) {
        (&mut self.read, self.read_unknown)
    }

    /// The client's ChangeCipherSpec: its write keys protect what follows.
    fn peer_change_cipher_spec(&mut self) {
        match self.keys() {
            Some(keys) => {
                self.read =
                    self.provider.new_opener(self.suite, self.version, &keys.client_write, false).ok();
                self.read_unknown = self.read.is_none();
            }
            None => self.read_unknown = true,
        }
    }

    /// Takes what later inputs need from a client handshake message.
    fn peer_handshake(&mut self, raw: &RawHandshake) {
        let Ok(msg) = raw.decode(self.ctx()) else {
            self.transcript.add(raw.raw());
            return;
        };
        match msg.payload {
            HandshakePayload::ClientHello(ch) => {
                // A new hello starts a new handshake (7.4.1.2).
                self.transcript = Transcript::new();
                self.client_random = Some(ch.random.0);
                self.client_version = ch.client_version;
                self.client_compression.clone_from(&ch.compression_methods);
                self.client_extensions = ch.extensions.iter().flatten().map(Extension::typ).collect();
                self.hello_sent = false;
                self.premaster = None;
                self.secure_renegotiation = ch.extension(ExtensionType::RenegotiationInfo).is_some()
                    || ch.cipher_suites.contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
                self.renegotiated_connection =
                    match self.client_verify.is_empty() || self.server_verify.is_empty() {
                        true => Vec::new(),
                        false => [self.client_verify.as_slice(), self.server_verify.as_slice()].concat(),
                    };
                self.client_verify.clear();
                self.server_verify.clear();
            }
            HandshakePayload::Finished(f) => self.client_verify = f.verify_data,
            HandshakePayload::ClientKeyExchange(cke) => {
                let pm = self.provider.decrypt_premaster(
                    &self.key.key,
                    &cke.encrypted_premaster,
                    self.client_version,
                    &mut self.rng,
                );
                self.premaster = Some(pm);
            }
            _ => {}
        }
        self.transcript.add(raw.raw());
    }

    fn ends_flight(&self, t: HandshakeType) -> bool {
        matches!(t, HandshakeType::ClientHello | HandshakeType::Finished)
    }
}
