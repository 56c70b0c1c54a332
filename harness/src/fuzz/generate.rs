//! Cases from a seed: random knobs and field mutations over every family,
//! and mutations of corpus entries. All randomness comes from one seeded
//! ChaCha20 stream per case, so a campaign replays from its seed.

use shakedown_engine::crypto::record::{ByteFlip, SealTweak};
use shakedown_engine::crypto::rsa_kx::Pkcs1Tweak;
use shakedown_engine::crypto::{RandomSource, SeededRandom};
use shakedown_engine::deviate::field::{FieldMutation, FieldOp, is_list, top_level_fields};
use shakedown_engine::deviate::{Anchor, Knob, Payload};
use shakedown_engine::msgs::enums::{
    AlertDescription, AlertLevel, CipherSuite, Compression, ContentType, ExtensionType, HandshakeType,
    HashAlgorithm, ProtocolVersion,
};

use super::case::FuzzCase;
use crate::vector::{ClientAuth, Role, Version};

/// Dice over a seeded stream.
#[derive(Debug)]
pub struct Dice(SeededRandom);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Self(SeededRandom::from_seed(seed))
    }

    pub fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        u64::from_le_bytes(b)
    }

    /// 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        match n {
            0 => 0,
            n => (self.u64() % n as u64) as usize,
        }
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.u64() % 100 < pct
    }

    pub fn pick<T: Clone>(&mut self, from: &[T]) -> Option<T> {
        let i = self.below(from.len());
        from.get(i).cloned()
    }

    pub fn byte(&mut self) -> u8 {
        self.u64() as u8
    }

    fn nonzero(&mut self) -> u8 {
        self.byte().max(1)
    }

    fn flip(&mut self) -> ByteFlip {
        ByteFlip { index: self.below(64), xor: self.nonzero() }
    }

    fn hex(&mut self, max: usize) -> Payload {
        let n = 1 + self.below(max.max(1));
        let bytes: Vec<u8> = (0..n).map(|_| self.byte()).collect();
        Payload::Hex(bytes)
    }
}

/// What a campaign may choose from.
#[derive(Debug, Clone)]
pub struct Space {
    /// The engine's roles the peers allow.
    pub roles: Vec<Role>,
    pub versions: Vec<Version>,
    /// OpenSSL names, each usable with at least one version.
    pub suites: Vec<String>,
    /// Whether the peers can resume (a peer client cannot be driven to).
    pub resumption: bool,
}

fn own_messages(role: Role) -> &'static [HandshakeType] {
    match role {
        Role::Client => &[
            HandshakeType::ClientHello,
            HandshakeType::Certificate,
            HandshakeType::ClientKeyExchange,
            HandshakeType::CertificateVerify,
            HandshakeType::Finished,
        ],
        Role::Server => &[
            HandshakeType::ServerHello,
            HandshakeType::Certificate,
            HandshakeType::CertificateRequest,
            HandshakeType::ServerHelloDone,
            HandshakeType::Finished,
        ],
    }
}

const ANY_MESSAGE: &[HandshakeType] = &[
    HandshakeType::HelloRequest,
    HandshakeType::ClientHello,
    HandshakeType::ServerHello,
    HandshakeType::Certificate,
    HandshakeType::ServerKeyExchange,
    HandshakeType::CertificateRequest,
    HandshakeType::ServerHelloDone,
    HandshakeType::CertificateVerify,
    HandshakeType::ClientKeyExchange,
    HandshakeType::Finished,
    HandshakeType::Unknown(99),
];

/// Suites no client offers, and ones a client may not have offered.
const ODD_SUITES: &[CipherSuite] = &[
    CipherSuite::Unknown(0x1337),
    CipherSuite::Unknown(0xc02f),
    CipherSuite::TLS_NULL_WITH_NULL_NULL,
    CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
];

const VERSIONS: &[ProtocolVersion] = &[
    ProtocolVersion::Ssl3,
    ProtocolVersion::Tls10,
    ProtocolVersion::Tls11,
    ProtocolVersion::Tls12,
    ProtocolVersion::Tls13,
    ProtocolVersion::Unknown(0x0305),
    ProtocolVersion::Unknown(0x0200),
    ProtocolVersion::Unknown(0x7f01),
];

fn anchor(d: &mut Dice, role: Role) -> Anchor {
    match d.below(5) {
        0 => Anchor::Before(d.pick(own_messages(role)).unwrap_or(HandshakeType::Finished)),
        1 => Anchor::After(d.pick(own_messages(role)).unwrap_or(HandshakeType::Finished)),
        2 => Anchor::BeforeChangeCipherSpec,
        3 => Anchor::AfterChangeCipherSpec,
        _ => Anchor::AfterHandshake,
    }
}

fn field_mutation(d: &mut Dice, role: Role, version: Version) -> Knob {
    let message = d.pick(own_messages(role)).unwrap_or(HandshakeType::Finished);
    let fields = top_level_fields(message, version.wire());
    let name = d.pick(&fields).unwrap_or("body");
    let mut path = name.to_string();
    if is_list(message, version.wire(), name) && d.chance(60) {
        path.push_str(&format!("[{}]", d.below(4)));
        if name == "extensions" && d.chance(50) {
            path.push_str(".body");
        }
    }
    let op = match d.below(4) {
        0 => FieldOp::Set(d.hex(8)),
        1 => FieldOp::Flip(d.flip()),
        2 => FieldOp::Truncate(1 + d.below(4)),
        _ => FieldOp::Extend(d.hex(6)),
    };
    Knob::MutateField(FieldMutation { message, path, op, fix_lengths: d.chance(80), integrity: d.chance(80) })
}

/// One random knob for the engine in `role` at `version`.
pub fn knob(d: &mut Dice, role: Role, version: Version) -> Knob {
    let own = own_messages(role);
    let msg = |d: &mut Dice| d.pick(own).unwrap_or(HandshakeType::Finished);
    // Twelve families, equally likely, then an arm within the family: each
    // family gets its share whatever the number of its arms.
    const FAMILIES: [&[usize]; 12] = [
        &[0, 1, 2, 3],
        &[4, 5],
        &[6, 7, 8, 9],
        &[10, 11, 12],
        &[13, 14, 15],
        &[16, 17],
        &[18, 19],
        &[20, 0, 2],
        &[21, 13],
        &[22, 23],
        &[25],
        &[24, 25],
    ];
    let family = FAMILIES.get(d.below(FAMILIES.len())).copied().unwrap_or(&[25]);
    let arm = d.pick(family).unwrap_or(25);
    match arm {
        0 if role == Role::Client => {
            let mut s: Vec<CipherSuite> = (0..1 + d.below(4)).filter_map(|_| d.pick(ODD_SUITES)).collect();
            s.push(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA);
            Knob::OfferSuites(s)
        }
        1 if role == Role::Client => Knob::OfferCompression(match d.below(3) {
            0 => vec![Compression::Deflate],
            1 => vec![],
            _ => vec![Compression::Unknown(0x40), Compression::Null],
        }),
        2 if role == Role::Client => {
            Knob::ClientHelloVersion(d.pick(VERSIONS).unwrap_or(ProtocolVersion::Tls12))
        }
        3 if role == Role::Client => Knob::SessionId(d.hex(40)),
        0..=3 => match d.below(3) {
            0 => Knob::SelectSuite(d.pick(ODD_SUITES).unwrap_or(CipherSuite::Unknown(0x1337))),
            1 => Knob::SelectCompression(Compression::Unknown(0x40 + d.byte() % 8)),
            _ => Knob::ServerHelloVersion(d.pick(VERSIONS).unwrap_or(ProtocolVersion::Tls13)),
        },
        4 => Knob::OmitExtension(
            d.pick(&[
                ExtensionType::RenegotiationInfo,
                ExtensionType::ExtendedMasterSecret,
                ExtensionType::ServerName,
                ExtensionType::SignatureAlgorithms,
            ])
            .unwrap_or(ExtensionType::ServerName),
        ),
        5 => Knob::AddExtension {
            typ: d
                .pick(&[
                    ExtensionType::Unknown(0x1a1a),
                    ExtensionType::Unknown(0xff02),
                    ExtensionType::ExtendedMasterSecret,
                    ExtensionType::SessionTicket,
                    ExtensionType::RenegotiationInfo,
                ])
                .unwrap_or(ExtensionType::Unknown(0x1a1a)),
            body: d.hex(4),
        },
        6 => Knob::RecordVersion(d.pick(VERSIONS).unwrap_or(ProtocolVersion::Tls10)),
        7 => Knob::FragmentHandshake(1 + d.below(64)),
        8 => Knob::CoalesceHandshake,
        9 => Knob::TweakRecord {
            on: d.chance(70).then(|| msg(d)),
            tweak: match d.below(3) {
                0 => SealTweak { corrupt_mac: Some(d.flip()), ..SealTweak::default() },
                1 => SealTweak { padding_len: Some(d.byte()), ..SealTweak::default() },
                _ => SealTweak { corrupt_padding: Some(d.flip()), ..SealTweak::default() },
            },
        },
        10 => Knob::InjectRecord {
            at: anchor(d, role),
            content_type: d
                .pick(&[
                    ContentType::ApplicationData,
                    ContentType::Heartbeat,
                    ContentType::Unknown(99),
                    ContentType::Unknown(0x80),
                    ContentType::ChangeCipherSpec,
                ])
                .unwrap_or(ContentType::ApplicationData),
            payload: match d.chance(30) {
                true => Payload::Hex(Vec::new()),
                false => d.hex(8),
            },
        },
        11 => Knob::InjectAlert {
            at: anchor(d, role),
            level: d
                .pick(&[AlertLevel::Warning, AlertLevel::Fatal, AlertLevel::Unknown(7)])
                .unwrap_or(AlertLevel::Warning),
            description: d.pick(AlertDescription::ALL).unwrap_or(AlertDescription::UserCanceled),
        },
        12 => Knob::InjectHandshake {
            at: anchor(d, role),
            typ: d.pick(ANY_MESSAGE).unwrap_or(HandshakeType::HelloRequest),
            body: match d.chance(40) {
                true => Payload::Hex(Vec::new()),
                false => d.hex(16),
            },
        },
        13 => Knob::Skip(msg(d)),
        14 => Knob::Duplicate(msg(d)),
        15 => Knob::Hold { message: msg(d), until_after: msg(d) },
        16 => Knob::TruncateBody { message: msg(d), by: 1 + d.below(8) },
        17 => Knob::PadBody { message: msg(d), bytes: d.hex(8) },
        18 => Knob::CcsBefore(msg(d)),
        19 => match d.below(3) {
            0 => Knob::CcsTwice,
            1 => Knob::CcsNever,
            _ => Knob::CcsBody(d.hex(3)),
        },
        20 if role == Role::Client => match d.below(4) {
            0 => Knob::PremasterVersion(d.pick(VERSIONS).unwrap_or(ProtocolVersion::Tls10)),
            1 => Knob::PremasterLength(d.pick(&[0, 2, 47, 49, 100]).unwrap_or(47)),
            2 => Knob::Pkcs1(Pkcs1Tweak {
                block_type: Some(d.pick(&[0u8, 1, 3, 0xff]).unwrap_or(1)),
                ..Pkcs1Tweak::default()
            }),
            _ => Knob::CiphertextLengthDelta(d.pick(&[-2, -1, 1, 8]).unwrap_or(1)),
        },
        21 if role == Role::Client => match d.below(4) {
            0 => Knob::EmptyCertificate,
            1 => Knob::NoCertificateAlert,
            2 => Knob::CorruptCertificateVerify(d.flip()),
            _ => Knob::CertificateVerifyHash(
                d.pick(&[HashAlgorithm::Md5, HashAlgorithm::Sha512, HashAlgorithm::Unknown(9)])
                    .unwrap_or(HashAlgorithm::Md5),
            ),
        },
        22 => Knob::CorruptFinished(d.flip()),
        23 => Knob::FinishedLength(d.pick(&[0, 1, 11, 13, 35, 37, 64]).unwrap_or(11)),
        24 => Knob::Renegotiate,
        _ => field_mutation(d, role, version),
    }
}

const IDENTITIES: &[Option<&str>] =
    &[None, None, None, None, Some("untrusted-server"), Some("untrusted-client"), Some("expired-client")];

/// A fresh case from the dice.
pub fn fresh(d: &mut Dice, space: &Space) -> Option<FuzzCase> {
    let engine_role = d.pick(&space.roles)?;
    let version = d.pick(&space.versions)?;
    let usable: Vec<String> = space
        .suites
        .iter()
        .filter(|s| shakedown_engine::suites::by_name(s).is_some_and(|i| i.usable_with(version.wire())))
        .cloned()
        .collect();
    let suite = d.pick(&usable)?;
    let client_auth = match d.below(10) {
        0 | 1 => ClientAuth::Request,
        2..=4 => ClientAuth::Require,
        _ => ClientAuth::Off,
    };
    let identity = d
        .pick(IDENTITIES)
        .flatten()
        .filter(|id| id.ends_with("server") == (engine_role == Role::Server))
        .map(str::to_owned);
    let resume = space.resumption && engine_role == Role::Client && d.chance(10);
    let n = 1 + d.below(3);
    let mutations = (0..n).map(|_| knob(d, engine_role, version)).collect();
    Some(FuzzCase { version, suite, engine_role, client_auth, identity, resume, mutations })
}

/// A mutation of a corpus entry: add, drop or replace one knob, or move it
/// to another version or suite.
pub fn mutate(d: &mut Dice, parent: &FuzzCase, space: &Space) -> FuzzCase {
    let mut c = parent.clone();
    let (role, version) = (c.engine_role, c.version);
    match d.below(5) {
        0 if c.mutations.len() < 6 => c.mutations.push(knob(d, role, version)),
        1 if c.mutations.len() > 1 => {
            let i = d.below(c.mutations.len());
            c.mutations.remove(i);
        }
        2 => {
            let usable: Vec<Version> = space
                .versions
                .iter()
                .copied()
                .filter(|v| {
                    shakedown_engine::suites::by_name(&c.suite).is_some_and(|i| i.usable_with(v.wire()))
                })
                .collect();
            if let Some(v) = d.pick(&usable) {
                c.version = v;
            }
        }
        _ => {
            let i = d.below(c.mutations.len());
            let k = knob(d, role, version);
            match c.mutations.get_mut(i) {
                Some(slot) => *slot = k,
                None => c.mutations.push(k),
            }
        }
    }
    c
}
