//! The built-in peer without a socket: the engine's server connection is
//! fed the probe in this thread, and the time is this thread's CPU time
//! across `feed` and `take_output` (the server's whole answer). CPU time
//! does not count the time other processes hold the core, so the engine's
//! own data-dependent work shows even on a busy machine; what it cannot
//! see is anything the kernel or the network adds.
//!
//! The `primitive` peer goes one step further in: only the operation under
//! test, called directly with nothing around it (the premaster decryption
//! for marvin, one record's open for lucky13), so a difference it shows is
//! in that operation and one it does not show is elsewhere.

use std::sync::Arc;
use std::time::Duration;

use cpu_time::ThreadTime;
use shakedown_engine::crypto::{DirectionKeys, RandomSource, SeededRandom};
use shakedown_engine::error::Error;
use shakedown_engine::msgs::enums::{ContentType, ProtocolVersion};
use shakedown_engine::pair::Pair;
use shakedown_engine::suites::SuiteInfo;
use shakedown_engine::{ClientConfig, Connection, ServerConfig};

use super::lucky13::Lucky13Class;
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

/// The premaster decryption alone (RFC 5246 7.4.7.1) of the class's
/// ClientKeyExchange, through the server's provider.
pub fn marvin_primitive(
    server: &ServerConfig,
    cke: &[u8],
    version: ProtocolVersion,
    seed: u64,
) -> Result<(Duration, Answer, Option<wire::Wire>), String> {
    // The handshake header (type, 24-bit length), then in TLS the
    // ciphertext's own 2-byte length; SSL 3.0 sends it bare (RFC 6101
    // 5.6.7.1).
    let header = if version.is_ssl3() { 4 } else { 6 };
    let ciphertext = cke.get(header..).ok_or("ClientKeyExchange shorter than its header")?;
    let mut rng = SeededRandom::from_seed(seed);
    let start = ThreadTime::try_now().map_err(|e| format!("thread clock: {e}"))?;
    let premaster = server.provider.decrypt_premaster(&server.cert.key, ciphertext, version, &mut rng);
    let elapsed = start.try_elapsed().map_err(|e| format!("thread clock: {e}"))?;
    std::hint::black_box(premaster);
    Ok((elapsed, Answer::Returned, None))
}

/// One record's open alone: the class's record, sealed under fresh random
/// keys by the server's provider, opened by a fresh opener of it (the
/// first record of a direction, as in a connection). Every class's record
/// is sealed before the clock starts, whichever is opened: the work just
/// before the timed call is then the same for every class (sealing only
/// the opened class's record left 2-5 ns between classes at 10,000
/// samples, from the seal before it, not the open).
pub fn lucky13_primitive(
    server: &ServerConfig,
    suite: &'static SuiteInfo,
    version: ProtocolVersion,
    classes: &[Lucky13Class],
    class: usize,
    seed: u64,
) -> Result<(Duration, Answer, Option<wire::Wire>), String> {
    let mut rng = SeededRandom::from_seed(seed);
    let layout = suite.key_block_layout(version);
    let mut key = |len: usize| {
        let mut k = vec![0u8; len];
        rng.fill(&mut k);
        k
    };
    let keys = DirectionKeys {
        mac_key: key(layout.mac_key_len),
        enc_key: key(layout.enc_key_len),
        fixed_iv: key(layout.fixed_iv_len),
    };
    let provider = &server.provider;
    let mut records = Vec::with_capacity(classes.len());
    for c in classes {
        let mut sealer = provider.new_sealer(suite, version, &keys, false).map_err(|e| e.to_string())?;
        let payload = vec![b'a'; c.payload_len];
        records.push(sealer.seal(ContentType::ApplicationData, version, &payload, &mut rng, &c.tweak));
    }
    // A copy of its own, so the opened bytes' address does not depend on
    // which class they are (each class's record sits at its own place in
    // `records`).
    let record = records.get(class).ok_or("no such class")?.clone();
    drop(records);
    let mut opener = provider.new_opener(suite, version, &keys, false).map_err(|e| e.to_string())?;
    let start = ThreadTime::try_now().map_err(|e| format!("thread clock: {e}"))?;
    let opened = opener.open(ContentType::ApplicationData, version, &record);
    let elapsed = start.try_elapsed().map_err(|e| format!("thread clock: {e}"))?;
    let answer = match opened {
        Ok(plaintext) => {
            std::hint::black_box(plaintext);
            Answer::Returned
        }
        // The alert the connection would send for it.
        Err(e) => Error::from(e).alert(version).map_or(Answer::Returned, |a| Answer::Alert(a.get())),
    };
    Ok((elapsed, answer, None))
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
