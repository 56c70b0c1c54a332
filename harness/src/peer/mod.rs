//! How the peer under test is reached: the built-in engine in memory, a
//! TCP address, or a command started from a profile. Each gives the runner
//! a [`Transport`]: bytes to the peer, bytes from it.

pub mod listen;
pub mod memory;
pub mod process;
pub mod profile;
pub mod tcp;

use std::time::Instant;

/// What a read from the peer gave.
#[derive(Debug)]
pub enum Recv {
    Data(Vec<u8>),
    /// The peer closed the transport (EOF or reset).
    Eof,
    /// In memory: the peer has nothing to say until it hears from us.
    Quiet,
    /// Nothing before the deadline.
    Timeout,
    /// The transport failed in a way that is not the peer closing.
    Failed(String),
}

/// A byte pipe to the peer under test.
pub trait Transport {
    /// Sends bytes; an error means the peer is gone.
    fn send(&mut self, bytes: &[u8]) -> Result<(), String>;
    /// Waits for bytes until `deadline`.
    fn recv(&mut self, deadline: Instant) -> Recv;
    /// Whether the peer answers application data with the same bytes.
    fn echoes(&self) -> bool;
}

/// Which peer a run is against.
#[derive(Debug, Clone)]
pub enum PeerSpec {
    /// The honest reference engine, in memory, with its known deviations.
    Builtin(Box<profile::BuiltinProfile>),
    /// A server already listening.
    Tcp(String),
    /// A profile: how to start an implementation, what it supports.
    Profile(Box<profile::Profile>),
}

impl PeerSpec {
    /// `tcp:host:port`, a profile path, or `builtin` (whose known
    /// deviations are read from `builtin_profile` when it exists).
    pub fn parse(s: &str, builtin_profile: &std::path::Path) -> Result<Self, String> {
        if s == "builtin" {
            let p = match builtin_profile.exists() {
                true => profile::BuiltinProfile::load(builtin_profile)?,
                false => profile::BuiltinProfile::default(),
            };
            return Ok(Self::Builtin(Box::new(p)));
        }
        if let Some(addr) = s.strip_prefix("tcp:") {
            return Ok(Self::Tcp(addr.to_owned()));
        }
        profile::Profile::load(std::path::Path::new(s)).map(|p| Self::Profile(Box::new(p)))
    }

    pub fn name(&self) -> String {
        match self {
            // A flawed built-in peer is another implementation: named apart,
            // so a differential campaign can set it against the honest one.
            Self::Builtin(p) if !p.flaws.is_honest() => {
                let flaws: Vec<&str> = p.flaws.iter().map(|f| f.name()).collect();
                format!("builtin+{}", flaws.join("+"))
            }
            Self::Builtin(_) => "builtin".into(),
            Self::Tcp(a) => format!("tcp:{a}"),
            Self::Profile(p) => p.name.clone(),
        }
    }

    /// Why a fuzz finding against this peer (`ORACLE/KINDS`) is already
    /// known, from its profile's known deviations.
    pub fn explains_finding(&self, finding: &str) -> Option<String> {
        match self {
            Self::Builtin(p) => p.explains_finding(finding),
            Self::Tcp(_) => None,
            Self::Profile(p) => p.explains_finding(finding),
        }
    }
}
