//! One turn of the only loop that moves bytes between a [`Connection`] and
//! whatever carries them: the in-memory pair, the built-in peer, the
//! runner's and the CLI's drivers over a transport. Every one of them
//! steps the connection here, so they agree on what a closed transport
//! means and on when a failure's alert goes out.

use super::{Connection, ConnectionEvent};
use crate::error::Error;

/// What the transport gave since the last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// Nothing new: collect what the connection has to say.
    Nothing,
    Bytes(&'a [u8]),
    /// The transport ended: an orderly EOF and a reset are the same thing
    /// to TLS, a close without close_notify (RFC 5246 7.2.1).
    Closed,
}

/// What one step produced.
#[derive(Debug, Default)]
pub struct Step {
    /// Events, in order.
    pub events: Vec<ConnectionEvent>,
    /// Bytes to send; after a failure, the alert it queued.
    pub output: Vec<u8>,
    /// The connection's failure, on this step or an earlier one: it is
    /// kept, and the bytes that follow are not read.
    pub error: Option<Error>,
}

impl Connection {
    /// Feeds what arrived, then drains the events and the output.
    pub fn step(&mut self, incoming: Incoming<'_>) -> Step {
        match incoming {
            Incoming::Nothing => {}
            // A failure is kept by the connection and reported below.
            Incoming::Bytes(b) if self.error().is_none() => {
                let _ = self.feed(b);
            }
            Incoming::Bytes(_) => {}
            Incoming::Closed => {
                let _ = self.feed_eof();
            }
        }
        let mut events = Vec::new();
        while let Some(e) = self.next_event() {
            events.push(e);
        }
        Step { events, output: self.take_output(), error: self.error().cloned() }
    }
}
