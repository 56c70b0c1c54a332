//! A client and a server connected in memory (quinn's `Pair` idea): bytes
//! move between them until neither has anything to say. Used by the
//! loopback tests, the built-in peer of the harness and the benchmarks.

use std::sync::Arc;

use crate::config::{ClientConfig, ServerConfig};
use crate::conn::{Connection, ConnectionEvent, HandshakeSummary, Incoming};
use crate::crypto::SeededRandom;
use crate::error::Error;

/// Rounds of exchange before giving up: a full handshake takes 4.
const MAX_ROUNDS: usize = 100;

#[derive(Debug)]
pub struct Pair {
    pub client: Connection,
    pub server: Connection,
    pub client_events: Vec<ConnectionEvent>,
    pub server_events: Vec<ConnectionEvent>,
    pub client_error: Option<Error>,
    pub server_error: Option<Error>,
}

impl Pair {
    /// Both sides seeded from `seed`, so a run is reproducible.
    pub fn new(
        client: Arc<ClientConfig>,
        server: Arc<ServerConfig>,
        seed: u64,
        now_unix: i64,
    ) -> Result<Self, Error> {
        Ok(Self::of(
            Connection::client(client, Box::new(SeededRandom::from_seed(seed)), now_unix)?,
            Connection::server(server, Box::new(SeededRandom::from_seed(seed ^ 0x5eed)), now_unix),
        ))
    }

    /// Two connections made elsewhere (a benchmark's own seeds).
    pub fn of(client: Connection, server: Connection) -> Self {
        Self {
            client,
            server,
            client_events: Vec::new(),
            server_events: Vec::new(),
            client_error: None,
            server_error: None,
        }
    }

    /// Moves bytes both ways until both are quiet (or a side failed), each
    /// side stepped as every driver steps a connection.
    pub fn pump(&mut self) {
        let (mut c2s, mut s2c) = (Vec::new(), Vec::new());
        for _ in 0..MAX_ROUNDS {
            let c = self.client.step(incoming(&s2c));
            let s = self.server.step(incoming(&c2s));
            self.client_events.extend(c.events);
            self.server_events.extend(s.events);
            self.client_error = self.client_error.take().or(c.error);
            self.server_error = self.server_error.take().or(s.error);
            if c.output.is_empty() && s.output.is_empty() {
                break;
            }
            (c2s, s2c) = (c.output, s.output);
        }
    }

    pub fn failed(&self) -> bool {
        self.client_error.is_some() || self.server_error.is_some()
    }

    /// The handshake summary one side reported, if it completed.
    pub fn summary(&self, client: bool) -> Option<&HandshakeSummary> {
        let events = if client { &self.client_events } else { &self.server_events };
        events.iter().find_map(|e| match e {
            ConnectionEvent::HandshakeComplete(s) => Some(s.as_ref()),
            _ => None,
        })
    }

    /// Handshake, then one message each way; returns whether both sides
    /// completed and received the other's message.
    pub fn handshake_and_exchange(&mut self, c2s: &[u8], s2c: &[u8]) -> bool {
        self.pump();
        if self.failed() || self.summary(true).is_none() || self.summary(false).is_none() {
            return false;
        }
        if self.client.send_application_data(c2s).is_err() || self.server.send_application_data(s2c).is_err()
        {
            return false;
        }
        self.pump();
        let got = |events: &[ConnectionEvent], want: &[u8]| {
            events.iter().any(|e| matches!(e, ConnectionEvent::ApplicationData(d) if d == want))
        };
        !self.failed() && got(&self.server_events, c2s) && got(&self.client_events, s2c)
    }
}

/// What one side sent last, as the other side's input.
fn incoming(bytes: &[u8]) -> Incoming<'_> {
    match bytes.is_empty() {
        true => Incoming::Nothing,
        false => Incoming::Bytes(bytes),
    }
}
