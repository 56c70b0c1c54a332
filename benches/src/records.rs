//! Record protection fixtures: keys for a suite, a sealer and a fresh opener
//! of the same direction, and the list of cases the benchmarks run.

use shakedown_engine::crypto::key_schedule::key_block;
use shakedown_engine::crypto::prf::PrfAlgorithm;
use shakedown_engine::crypto::record::{Backend, RecordOpener, RecordSealer, SealTweak};
use shakedown_engine::crypto::{DirectionKeys, SeededRandom};
use shakedown_engine::msgs::enums::{ContentType, ProtocolVersion};
use shakedown_engine::suites::{ALL_SUITES, SuiteInfo};

use crate::fixtures::{CLIENT_RANDOM, MASTER, SERVER_RANDOM};

/// Record sizes benchmarked: small, typical, the largest plaintext.
pub const SIZES: [usize; 3] = [64, 1024, 16384];

/// One suite at one version.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub suite: &'static SuiteInfo,
    pub version: ProtocolVersion,
}

impl Case {
    /// "AES128-SHA/tls1.2": the name a table row shows.
    pub fn name(&self) -> String {
        format!("{}/{}", self.suite.openssl_name, version_name(self.version))
    }

    /// The client_write keys of this case, from the fixed master secret.
    pub fn keys(&self) -> DirectionKeys {
        let alg = PrfAlgorithm::for_suite(self.version, self.suite).unwrap();
        let layout = self.suite.key_block_layout(self.version);
        key_block(alg, &MASTER, &CLIENT_RANDOM, &SERVER_RANDOM, layout).unwrap().client_write
    }

    pub fn sealer(&self) -> RecordSealer {
        RecordSealer::new(self.suite, self.version, &self.keys(), false).unwrap()
    }

    pub fn opener(&self) -> RecordOpener {
        RecordOpener::new(self.suite, self.version, &self.keys(), false).unwrap()
    }

    /// The same direction over another backend's primitives.
    pub fn sealer_with(&self, backend: Backend) -> RecordSealer {
        RecordSealer::with_backend(backend, self.suite, self.version, &self.keys(), false).unwrap()
    }

    pub fn opener_with(&self, backend: Backend) -> RecordOpener {
        RecordOpener::with_backend(backend, self.suite, self.version, &self.keys(), false).unwrap()
    }

    /// The first application-data record a fresh sealer produces for
    /// `plaintext` (sequence number 0).
    pub fn first_record(&self, plaintext: &[u8]) -> Vec<u8> {
        self.sealer().seal(
            ContentType::ApplicationData,
            self.version,
            plaintext,
            &mut SeededRandom::from_seed(7),
            &SealTweak::default(),
        )
    }
}

pub fn version_name(v: ProtocolVersion) -> &'static str {
    match v {
        ProtocolVersion::Ssl3 => "ssl3",
        ProtocolVersion::Tls10 => "tls1.0",
        ProtocolVersion::Tls11 => "tls1.1",
        ProtocolVersion::Tls12 => "tls1.2",
        _ => "other",
    }
}

/// Every suite at TLS 1.2 (explicit CBC IVs, HMAC), plus AES128-SHA at
/// TLS 1.0 (chained IV) and SSL 3.0 (the SSL 3.0 MAC): the constructions
/// that differ in cost.
pub fn cases() -> Vec<Case> {
    let mut out: Vec<Case> =
        ALL_SUITES.iter().map(|suite| Case { suite, version: ProtocolVersion::Tls12 }).collect();
    if let Some(aes) = shakedown_engine::suites::by_name("AES128-SHA") {
        for version in [ProtocolVersion::Tls10, ProtocolVersion::Ssl3] {
            out.push(Case { suite: aes, version });
        }
    }
    out
}

pub fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| i as u8).collect()
}
