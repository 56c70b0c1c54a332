//! The learner's client: turns each abstract input into bytes computed from
//! the connection so far (randoms, the server's key, premaster, transcript,
//! record protection), whatever order the inputs come in. What cannot be
//! computed yet (a Finished before any ServerHello) is sent with stand-in
//! values of the right length, as a confused client would.

use std::sync::Arc;

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::crypto::finished::certificate_verify_digest;
use shakedown_engine::crypto::key_schedule::{self, MASTER_SECRET_LEN};
use shakedown_engine::crypto::prf::PrfAlgorithm;
use shakedown_engine::crypto::provider::{CryptoProvider, RecordOpen, RecordSeal, RustCrypto};
use shakedown_engine::crypto::record::SealTweak;
use shakedown_engine::crypto::rsa_kx::{PREMASTER_LEN, Pkcs1Tweak};
use shakedown_engine::crypto::transcript::Transcript;
use shakedown_engine::crypto::{ConnectionKeys, RandomSource, SeededRandom};
use shakedown_engine::msgs::enums::{
    AlertDescription, CipherSuite, Compression, ContentType, HashAlgorithm, ProtocolVersion,
    SignatureAlgorithm,
};
use shakedown_engine::msgs::{
    Certificate, CertificateVerify, ClientHello, ClientKeyExchange, Extension, Finished, HandshakeContext,
    HandshakeMessage, HandshakePayload, Random, SessionId, SignatureAndHashAlgorithm,
};
use shakedown_engine::suites::SuiteInfo;

use super::record::{self, GREASE_SUITE, bad_mac, bad_padding, corrupt_first};
use super::symbols::Symbol;

/// What the client knows and has set up so far in one connection.
pub struct ClientState {
    pub version: ProtocolVersion,
    suite: &'static SuiteInfo,
    prf: PrfAlgorithm,
    provider: Arc<dyn CryptoProvider>,
    identity: Option<Arc<CertifiedKey>>,
    untrusted: Option<Arc<CertifiedKey>>,
    /// The key of the chain sent last: CertificateVerify signs with it.
    signer: Option<Arc<CertifiedKey>>,
    pub rng: SeededRandom,
    client_random: [u8; 32],
    pub server_random: Option<[u8; 32]>,
    pub server_key: Option<shakedown_engine::crypto::keys::RsaPublicKey>,
    master: Option<[u8; MASTER_SECRET_LEN]>,
    /// Every handshake message sent and received, in order (RFC 5246 7.4.9).
    pub transcript: Transcript,
    /// A ServerHello was seen: records now carry the negotiated version.
    pub negotiated: bool,
    write: Option<Box<dyn RecordSeal>>,
    pub read: Option<Box<dyn RecordOpen>>,
    /// The server's ChangeCipherSpec came without keys we could derive.
    pub read_unknown: bool,
    /// The verify_data of our last Finished: what a renegotiating hello's
    /// renegotiation_info carries (RFC 5746 3.5); empty before any.
    verify_data: Vec<u8>,
}

impl std::fmt::Debug for ClientState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientState")
            .field("version", &self.version)
            .field("suite", &self.suite.openssl_name)
            .finish_non_exhaustive()
    }
}

impl ClientState {
    pub fn new(
        version: ProtocolVersion,
        suite: &'static SuiteInfo,
        identity: Option<Arc<CertifiedKey>>,
        untrusted: Option<Arc<CertifiedKey>>,
        seed: u64,
    ) -> Result<Self, String> {
        let prf = PrfAlgorithm::for_suite(version, suite)
            .ok_or_else(|| format!("{} cannot be used with {version}", suite.openssl_name))?;
        let mut rng = SeededRandom::from_seed(seed);
        let mut client_random = [0u8; 32];
        rng.fill(&mut client_random);
        Ok(Self {
            version,
            suite,
            prf,
            provider: Arc::new(RustCrypto),
            signer: identity.clone(),
            identity,
            untrusted,
            rng,
            client_random,
            server_random: None,
            server_key: None,
            master: None,
            transcript: Transcript::new(),
            negotiated: false,
            write: None,
            read: None,
            read_unknown: false,
            verify_data: Vec::new(),
        })
    }

    fn ctx(&self) -> HandshakeContext {
        HandshakeContext::new(self.version)
    }

    /// The bytes for `symbol`.
    pub fn build(&mut self, symbol: Symbol) -> Vec<u8> {
        match symbol {
            Symbol::ClientHello => self.client_hello(vec![self.suite.suite], false),
            Symbol::ClientHelloWrongRenegotiationInfo => self.client_hello(vec![self.suite.suite], true),
            Symbol::ClientHelloUnknownSuites => {
                self.client_hello(vec![CipherSuite::from_wire(GREASE_SUITE)], false)
            }
            Symbol::ClientKeyExchange => self.client_key_exchange(self.version, &Pkcs1Tweak::default()),
            Symbol::ClientKeyExchangeBadPkcs1 => {
                let tweak = Pkcs1Tweak { block_type: Some(0x01), ..Pkcs1Tweak::default() };
                self.client_key_exchange(self.version, &tweak)
            }
            Symbol::ClientKeyExchangeWrongVersion => {
                let other = ProtocolVersion::from_wire(self.version.get() ^ 1);
                self.client_key_exchange(other, &Pkcs1Tweak::default())
            }
            Symbol::EmptyCertificate => self.handshake(HandshakePayload::Certificate(Certificate::default())),
            Symbol::ClientCertificate => self.certificate(self.identity.clone()),
            Symbol::ClientCertificateUntrusted => self.certificate(self.untrusted.clone()),
            Symbol::CertificateVerify => self.certificate_verify(false),
            Symbol::CertificateVerifyBadSignature => self.certificate_verify(true),
            Symbol::ChangeCipherSpec => self.change_cipher_spec(),
            Symbol::Finished => self.finished(false),
            Symbol::FinishedBadVerifyData => self.finished(true),
            Symbol::ApplicationData => {
                self.record(ContentType::ApplicationData, b"GET / HTTP/1.0\n\n", &SealTweak::default())
            }
            Symbol::ApplicationDataBadMac => {
                self.record(ContentType::ApplicationData, b"GET / HTTP/1.0\n\n", &bad_mac())
            }
            Symbol::ApplicationDataBadPadding => {
                let tweak = bad_padding(self.suite.is_aead());
                self.record(ContentType::ApplicationData, b"GET / HTTP/1.0\n\n", &tweak)
            }
            Symbol::CloseNotify => self.alert(AlertDescription::CloseNotify),
            Symbol::NoCertificate => self.alert(AlertDescription::NoCertificate),
        }
    }

    /// One record, protected when our ChangeCipherSpec made keys current.
    fn record(&mut self, typ: ContentType, payload: &[u8], tweak: &SealTweak) -> Vec<u8> {
        // RFC 5246 E.1: the first ClientHello goes in a TLS 1.0 record (SSL
        // 3.0 for an SSL 3.0 client); after the ServerHello, the version.
        let version = match self.negotiated {
            true => self.version,
            false => ProtocolVersion::from_wire(self.version.get().min(ProtocolVersion::Tls10.get())),
        };
        record::seal(&mut self.write, &mut self.rng, typ, version, payload, tweak)
    }

    fn handshake(&mut self, payload: HandshakePayload) -> Vec<u8> {
        let raw = HandshakeMessage::new(payload).to_bytes();
        self.transcript.add(&raw);
        self.record(ContentType::Handshake, &raw, &SealTweak::default())
    }

    /// A ClientHello offering `cipher_suites` and secure renegotiation;
    /// `wrong_binding` makes its renegotiated_connection one the server
    /// must refuse (RFC 5746 3.6, 3.7).
    fn client_hello(&mut self, mut cipher_suites: Vec<CipherSuite>, wrong_binding: bool) -> Vec<u8> {
        // A new hello starts a new handshake (a renegotiation once one is
        // done, RFC 5246 7.4.1.2): new random, new transcript.
        self.rng.fill(&mut self.client_random);
        self.transcript = Transcript::new();
        self.master = None;
        let initial = self.verify_data.is_empty();
        // RFC 5746 3.4: empty on the first handshake; 3.5: the client's
        // verify_data of the one before on a renegotiation.
        let mut binding = self.verify_data.clone();
        if wrong_binding {
            if initial {
                binding = vec![0; self.ctx().verify_data_len()];
            }
            corrupt_first(&mut binding, true);
        }
        // RFC 5746 3.3: a first SSL 3.0 hello signals with the SCSV, as the
        // engine's client does; a renegotiating hello never carries it
        // (3.5) and has the extension in any version.
        let extensions = match self.version.is_ssl3() && initial && !wrong_binding {
            true => {
                cipher_suites.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
                None
            }
            false => Some(vec![Extension::RenegotiationInfo(binding)]),
        };
        let hello = ClientHello {
            client_version: self.version,
            random: Random(self.client_random),
            session_id: SessionId::empty(),
            cipher_suites,
            compression_methods: vec![Compression::Null],
            extensions,
        };
        self.handshake(HandshakePayload::ClientHello(hello))
    }

    /// RFC 5246 7.4.7.1: premaster = client_version || 46 random bytes,
    /// PKCS#1 v1.5 encrypted to the server's key. The master secret follows
    /// from our premaster once the server random is known (RFC 5246 8.1).
    fn client_key_exchange(&mut self, premaster_version: ProtocolVersion, tweak: &Pkcs1Tweak) -> Vec<u8> {
        let mut premaster = [0u8; PREMASTER_LEN];
        let (v, rest) = premaster.split_at_mut(2);
        v.copy_from_slice(&premaster_version.get().to_be_bytes());
        self.rng.fill(rest);
        let encrypted = match &self.server_key {
            Some(key) => {
                self.provider.encrypt_premaster(key, &premaster, &mut self.rng, tweak).unwrap_or_default()
            }
            None => {
                let mut junk = vec![0u8; 256];
                self.rng.fill(&mut junk);
                junk
            }
        };
        self.master = self
            .server_random
            .map(|sr| key_schedule::master_secret(self.prf, &premaster, &self.client_random, &sr));
        let cke = ClientKeyExchange::new(self.ctx(), encrypted);
        self.handshake(HandshakePayload::ClientKeyExchange(cke))
    }

    /// A Certificate with `id`'s chain; later CertificateVerify signs
    /// with its key.
    fn certificate(&mut self, id: Option<Arc<CertifiedKey>>) -> Vec<u8> {
        let cert = record::certificate(id.as_deref());
        self.signer = id;
        self.handshake(HandshakePayload::Certificate(cert))
    }

    /// RFC 5246 7.4.8 (RFC 2246 7.4.8, RFC 6101 5.6.8 for the older forms).
    fn certificate_verify(&mut self, corrupt: bool) -> Vec<u8> {
        let tls12 = self.version.get() >= ProtocolVersion::Tls12.get();
        let hash = tls12.then_some(HashAlgorithm::Sha256);
        let master = self.master.unwrap_or([0u8; MASTER_SECRET_LEN]);
        let signature =
            certificate_verify_digest(self.version, &master, &self.transcript, hash).ok().and_then(|d| {
                let (h, digest) = d.signature_input()?;
                let id = self.signer.as_ref()?;
                self.provider.sign(&id.key, h, digest, &mut self.rng).ok()
            });
        let mut signature = signature.unwrap_or_else(|| vec![0u8; 256]);
        corrupt_first(&mut signature, corrupt);
        let cv = CertificateVerify {
            algorithm: hash.map(|h| SignatureAndHashAlgorithm::new(h, SignatureAlgorithm::Rsa)),
            signature,
        };
        self.handshake(HandshakePayload::CertificateVerify(cv))
    }

    fn keys(&self) -> Option<ConnectionKeys> {
        let master = self.master?;
        let sr = self.server_random?;
        let layout = self.suite.key_block_layout(self.version);
        key_schedule::key_block(self.prf, &master, &self.client_random, &sr, layout).ok()
    }

    /// RFC 5246 7.1: our pending write state becomes current after our
    /// ChangeCipherSpec. Without keys we keep writing in the clear.
    fn change_cipher_spec(&mut self) -> Vec<u8> {
        let bytes = self.record(ContentType::ChangeCipherSpec, &[1], &SealTweak::default());
        if let Some(keys) = self.keys() {
            self.write = self.provider.new_sealer(self.suite, self.version, &keys.client_write, false).ok();
        }
        bytes
    }

    /// The server's ChangeCipherSpec: its write keys protect what follows.
    pub fn server_change_cipher_spec(&mut self) {
        match self.keys() {
            Some(keys) => {
                self.read =
                    self.provider.new_opener(self.suite, self.version, &keys.server_write, false).ok();
                self.read_unknown = self.read.is_none();
            }
            None => self.read_unknown = true,
        }
    }

    fn finished(&mut self, corrupt: bool) -> Vec<u8> {
        let len = self.ctx().verify_data_len();
        let mut verify_data = match self.master {
            Some(m) => self.provider.verify_data(
                self.prf,
                &m,
                shakedown_engine::crypto::Side::Client,
                &self.transcript,
            ),
            None => vec![0u8; len],
        };
        corrupt_first(&mut verify_data, corrupt);
        self.verify_data.clone_from(&verify_data);
        self.handshake(HandshakePayload::Finished(Finished { verify_data }))
    }

    fn alert(&mut self, description: AlertDescription) -> Vec<u8> {
        self.record(ContentType::Alert, &record::warning(description), &SealTweak::default())
    }
}
