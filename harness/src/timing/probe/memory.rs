//! The built-in peer without a socket: the engine's server connection is
//! fed the probe in this thread, and the time is this thread's CPU time
//! across `feed` and `take_output` (the server's whole answer). CPU time
//! does not count the time other processes hold the core, so the engine's
//! own data-dependent work shows even on a busy machine; what it cannot
//! see is anything the kernel or the network adds.

use std::sync::Arc;
use std::time::Duration;

use cpu_time::ThreadTime;
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::pair::Pair;
use shakedown_engine::{ClientConfig, Connection, ServerConfig};

use super::wire::{self, Answer};
use crate::args::now_unix;

fn rng(seed: u64) -> Box<SeededRandom> {
    Box::new(SeededRandom::from_seed(seed))
}

/// ClientHello, the server's flight, then the class's ClientKeyExchange
/// with the client's own ChangeCipherSpec and Finished, timed.
pub fn marvin_sample(
    server: &Arc<ServerConfig>,
    client: &Arc<ClientConfig>,
    cke: &[u8],
    seed: u64,
) -> Result<(Duration, Answer, Option<wire::Wire>), String> {
    let now = now_unix();
    let mut c = Connection::client(client.clone(), rng(seed), now).map_err(|e| e.to_string())?;
    let mut s = Connection::server(server.clone(), rng(seed ^ 0x5eed), now);
    s.feed(&c.take_output()).map_err(|e| format!("server: {e}"))?;
    c.feed(&s.take_output()).map_err(|e| format!("client: {e}"))?;
    let probe = wire::swap_client_key_exchange(&c.take_output(), cke)?;
    timed_feed(&mut s, &probe)
}

/// A full handshake in memory, then one record sealed with the class's
/// tweak (the client config carries it), timed.
pub fn lucky13_sample(
    server: &Arc<ServerConfig>,
    client: &Arc<ClientConfig>,
    payload_len: usize,
    seed: u64,
) -> Result<(Duration, Answer, Option<wire::Wire>), String> {
    let mut pair = Pair::new(client.clone(), server.clone(), seed, now_unix()).map_err(|e| e.to_string())?;
    pair.pump();
    if pair.failed() || pair.summary(true).is_none() {
        return Err("the in-memory handshake did not complete".into());
    }
    pair.client.send_application_data(&vec![b'a'; payload_len]).map_err(|e| e.to_string())?;
    let probe = pair.client.take_output();
    timed_feed(&mut pair.server, &probe)
}

fn timed_feed(
    server: &mut Connection,
    probe: &[u8],
) -> Result<(Duration, Answer, Option<wire::Wire>), String> {
    let start = ThreadTime::try_now().map_err(|e| format!("thread clock: {e}"))?;
    // An error is the expected outcome: its alert is in the output.
    let _ = server.feed(probe);
    let out = server.take_output();
    let elapsed = start.try_elapsed().map_err(|e| format!("thread clock: {e}"))?;
    let answer = match out.is_empty() {
        true => Answer::Closed,
        false => wire::classify(&out),
    };
    Ok((elapsed, answer, None))
}
