//! Shared by the msgs_* tests: a tiny deterministic generator of random
//! message field values, seeded so a failure replays.
#![allow(dead_code)]
// Test-only helpers: the in-test allowances of clippy.toml do not reach a
// module outside #[test] functions.
#![allow(clippy::indexing_slicing)]

use shakedown_engine::crypto::{RandomSource, SeededRandom};
use shakedown_engine::msgs::enums::*;
use shakedown_engine::msgs::*;

pub const VERSIONS: [ProtocolVersion; 4] =
    [ProtocolVersion::Ssl3, ProtocolVersion::Tls10, ProtocolVersion::Tls11, ProtocolVersion::Tls12];

pub struct Gen(SeededRandom);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Self(SeededRandom::from_seed(seed))
    }

    pub fn u8(&mut self) -> u8 {
        let mut b = [0u8; 1];
        self.0.fill(&mut b);
        b[0]
    }

    pub fn u16(&mut self) -> u16 {
        let mut b = [0u8; 2];
        self.0.fill(&mut b);
        u16::from_be_bytes(b)
    }

    /// Uniform-ish in lo..=hi.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        lo + (u64::from_be_bytes(b) % (hi - lo + 1) as u64) as usize
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        self.0.fill(&mut v);
        v
    }

    pub fn bytes_in(&mut self, lo: usize, hi: usize) -> Vec<u8> {
        let n = self.range(lo, hi);
        self.bytes(n)
    }

    pub fn random(&mut self) -> Random {
        let mut r = [0u8; 32];
        self.0.fill(&mut r);
        Random(r)
    }

    pub fn session_id(&mut self) -> SessionId {
        SessionId(self.bytes_in(0, 32))
    }

    pub fn sig_alg(&mut self) -> SignatureAndHashAlgorithm {
        SignatureAndHashAlgorithm::new(
            HashAlgorithm::from_wire(self.u8()),
            SignatureAlgorithm::from_wire(self.u8()),
        )
    }

    pub fn sig_algs(&mut self) -> Vec<SignatureAndHashAlgorithm> {
        let n = self.range(1, 12);
        (0..n).map(|_| self.sig_alg()).collect()
    }

    pub fn extension(&mut self, origin: ExtensionOrigin) -> Extension {
        match self.range(0, 5) {
            0 => match origin {
                ExtensionOrigin::ClientHello => {
                    let n = self.range(1, 3);
                    Extension::ServerName(
                        (0..n)
                            .map(|_| ServerNameEntry {
                                name_type: ServerNameType::from_wire(self.u8() % 2),
                                name: self.bytes_in(1, 40),
                            })
                            .collect(),
                    )
                }
                ExtensionOrigin::ServerHello => Extension::ServerNameAck,
            },
            1 => Extension::SignatureAlgorithms(self.sig_algs()),
            2 => Extension::RenegotiationInfo(self.bytes_in(0, 36)),
            3 => Extension::ExtendedMasterSecret,
            4 => Extension::EncryptThenMac,
            _ => {
                // Any type the engine does not model.
                let modelled = [0u16, 13, 22, 23, 0xff01];
                let mut t = self.u16();
                while modelled.contains(&t) {
                    t = self.u16();
                }
                Extension::Other { typ: ExtensionType::from_wire(t), body: self.bytes_in(0, 20) }
            }
        }
    }

    /// None, an empty block, or a few extensions.
    pub fn extensions(&mut self, origin: ExtensionOrigin) -> Option<Vec<Extension>> {
        match self.range(0, 3) {
            0 => None,
            1 => Some(Vec::new()),
            _ => {
                let n = self.range(1, 6);
                Some((0..n).map(|_| self.extension(origin)).collect())
            }
        }
    }

    pub fn client_hello(&mut self) -> ClientHello {
        let suites = self.range(1, 20);
        let comps = self.range(1, 4);
        ClientHello {
            client_version: ProtocolVersion::from_wire(self.u16()),
            random: self.random(),
            session_id: self.session_id(),
            cipher_suites: (0..suites).map(|_| CipherSuite::from_wire(self.u16())).collect(),
            compression_methods: (0..comps).map(|_| Compression::from_wire(self.u8())).collect(),
            extensions: self.extensions(ExtensionOrigin::ClientHello),
        }
    }

    pub fn server_hello(&mut self) -> ServerHello {
        ServerHello {
            server_version: ProtocolVersion::from_wire(self.u16()),
            random: self.random(),
            session_id: self.session_id(),
            cipher_suite: CipherSuite::from_wire(self.u16()),
            compression_method: Compression::from_wire(self.u8()),
            extensions: self.extensions(ExtensionOrigin::ServerHello),
        }
    }

    pub fn certificate(&mut self) -> Certificate {
        let n = self.range(0, 10);
        Certificate { chain: (0..n).map(|_| CertificateDer(self.bytes_in(1, 300))).collect() }
    }

    pub fn certificate_request(&mut self, ctx: HandshakeContext) -> CertificateRequest {
        let types = self.range(1, 5);
        let cas = self.range(0, 4);
        CertificateRequest {
            certificate_types: (0..types).map(|_| ClientCertificateType::from_wire(self.u8())).collect(),
            signature_algorithms: ctx.has_signature_algorithms().then(|| self.sig_algs()),
            certificate_authorities: (0..cas).map(|_| DistinguishedName(self.bytes_in(1, 80))).collect(),
        }
    }

    pub fn client_key_exchange(&mut self, ctx: HandshakeContext) -> ClientKeyExchange {
        let len = [48, 64, 128, 256, 512][self.range(0, 4)];
        ClientKeyExchange::new(ctx, self.bytes(len))
    }

    pub fn certificate_verify(&mut self, ctx: HandshakeContext) -> CertificateVerify {
        CertificateVerify {
            algorithm: ctx.has_signature_algorithms().then(|| self.sig_alg()),
            signature: self.bytes_in(0, 300),
        }
    }

    pub fn finished(&mut self, ctx: HandshakeContext) -> Finished {
        Finished { verify_data: self.bytes(ctx.verify_data_len()) }
    }

    /// One message of every kind the engine models, for `ctx`'s version.
    pub fn every_message(&mut self, ctx: HandshakeContext) -> Vec<HandshakeMessage> {
        let payloads = vec![
            HandshakePayload::HelloRequest,
            HandshakePayload::ClientHello(self.client_hello()),
            HandshakePayload::ServerHello(self.server_hello()),
            HandshakePayload::Certificate(self.certificate()),
            HandshakePayload::ServerKeyExchange(self.bytes_in(0, 200)),
            HandshakePayload::CertificateRequest(self.certificate_request(ctx)),
            HandshakePayload::ServerHelloDone,
            HandshakePayload::ClientKeyExchange(self.client_key_exchange(ctx)),
            HandshakePayload::CertificateVerify(self.certificate_verify(ctx)),
            HandshakePayload::Finished(self.finished(ctx)),
        ];
        let mut msgs: Vec<_> = payloads.into_iter().map(HandshakeMessage::new).collect();
        msgs.push(HandshakeMessage::unknown(HandshakeType::NewSessionTicket, self.bytes_in(0, 50)));
        msgs.push(HandshakeMessage::unknown(HandshakeType::Unknown(99), self.bytes_in(0, 50)));
        msgs
    }

    pub fn sslv2_hello(&mut self) -> Sslv2ClientHello {
        let specs = self.range(1, 20);
        Sslv2ClientHello {
            version: ProtocolVersion::from_wire(self.u16()),
            cipher_specs: (0..specs)
                .map(|_| {
                    let kind = if self.bool() { 0 } else { self.u8() };
                    [kind, self.u8(), self.u8()]
                })
                .collect(),
            session_id: if self.bool() { Vec::new() } else { self.bytes(16) },
            challenge: self.bytes_in(16, 32),
        }
    }
}
