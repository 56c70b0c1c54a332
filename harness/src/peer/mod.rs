//! How the peer under test is reached: the built-in engine in memory, a
//! TCP address, or a command started from a profile. Each gives the runner
//! a [`Transport`]: bytes to the peer, bytes from it.

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
    /// The honest reference engine, in memory.
    Builtin,
    /// A server already listening.
    Tcp(String),
    /// A profile: how to start an implementation, what it supports.
    Profile(Box<profile::Profile>),
}

impl PeerSpec {
    /// `tcp:host:port`, a profile path, or `builtin`.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s == "builtin" {
            return Ok(Self::Builtin);
        }
        if let Some(addr) = s.strip_prefix("tcp:") {
            return Ok(Self::Tcp(addr.to_owned()));
        }
        profile::Profile::load(std::path::Path::new(s)).map(|p| Self::Profile(Box::new(p)))
    }

    pub fn name(&self) -> String {
        match self {
            Self::Builtin => "builtin".into(),
            Self::Tcp(a) => format!("tcp:{a}"),
            Self::Profile(p) => p.name.clone(),
        }
    }
}
