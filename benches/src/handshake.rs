//! Engine client against engine server in memory (the engine's `Pair`,
//! which steps each side as every driver does), for handshakes-per-second
//! benchmarks.

use std::sync::Arc;

use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::pair::Pair;
use shakedown_engine::suites::SuiteInfo;
use shakedown_engine::{ClientAuthMode, ClientConfig, Connection, ServerConfig, SessionData, VersionRange};

use crate::fixtures::{NOW, anchors, client_identity, server_identity};

/// How a benchmarked handshake runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A full handshake, server authentication only.
    Full,
    /// A full handshake with a required RSA-2048 client certificate.
    FullClientAuth,
    /// An abbreviated handshake resuming a cached session by id.
    Resumed,
}

impl Kind {
    pub const ALL: [Self; 3] = [Self::Full, Self::FullClientAuth, Self::Resumed];

    pub fn name(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::FullClientAuth => "full+client-auth",
            Self::Resumed => "resumed",
        }
    }
}

/// Configurations for repeated handshakes of one kind.
#[derive(Debug)]
pub struct Setup {
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    seed: u64,
}

impl Setup {
    pub fn new(version: ProtocolVersion, suite: &SuiteInfo, kind: Kind) -> Self {
        let client_auth = kind == Kind::FullClientAuth;
        let client = ClientConfig {
            versions: VersionRange::only(version),
            suites: vec![suite.suite],
            server_name: Some("localhost".into()),
            trust: Some(anchors()),
            client_cert: client_auth.then(client_identity),
            ..ClientConfig::default()
        };
        let server = Arc::new(ServerConfig {
            versions: VersionRange::only(version),
            client_trust: Some(anchors()),
            client_auth: if client_auth { ClientAuthMode::Require } else { ClientAuthMode::Off },
            ..ServerConfig::new(server_identity())
        });
        let mut setup = Self { client: Arc::new(client), server, seed: 1 };
        if kind == Kind::Resumed {
            // One full handshake fills the server's cache; every resumed
            // handshake then offers that session.
            let first = setup.run();
            setup.client = Arc::new(ClientConfig { resume: Some(first.clone()), ..(*setup.client).clone() });
            let again = setup.run();
            assert_eq!(again.session_id, first.session_id, "{version}: not resumed");
        }
        setup
    }

    /// Runs one handshake to completion on both sides and returns the
    /// client's session. Panics if it fails: a benchmark must not time a
    /// failing handshake.
    pub fn run(&mut self) -> SessionData {
        self.seed = self.seed.wrapping_add(2);
        let c = Connection::client(self.client.clone(), Box::new(SeededRandom::from_seed(self.seed)), NOW)
            .unwrap();
        let s =
            Connection::server(self.server.clone(), Box::new(SeededRandom::from_seed(self.seed + 1)), NOW);
        let mut pair = Pair::of(c, s);
        pair.pump();
        assert!(!pair.server.is_handshaking(), "server did not finish: {:?}", pair.server_error);
        pair.summary(true)
            .map(|summary| summary.session.clone())
            .unwrap_or_else(|| panic!("client did not finish: {:?}", pair.client_error))
    }
}
