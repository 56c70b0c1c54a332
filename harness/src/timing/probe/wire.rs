//! The socket side of a probe: driving the engine client up to the point
//! where the probe goes out, the probe's records, and the timed exchange.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use shakedown_engine::msgs::enums::{AlertDescription, ContentType};
use shakedown_engine::{Connection, ConnectionEvent};

/// Record header length (RFC 5246 6.2.1).
const HEADER_LEN: usize = 5;

/// What the peer answered the probe with: the first read, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A record of this content type (an alert, most often).
    Record(u8),
    /// A plaintext alert with its description.
    Alert(u8),
    /// The peer closed the connection.
    Closed,
    /// A primitive timed alone (`--peer primitive`) returned a value.
    Returned,
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Record(t) => write!(f, "record:{t}"),
            Self::Alert(d) => match AlertDescription::from_wire(*d).name() {
                Some(name) => write!(f, "alert:{name}"),
                None => write!(f, "alert:{d}"),
            },
            Self::Closed => f.write_str("closed"),
            Self::Returned => f.write_str("returned"),
        }
    }
}

/// Opens a TCP connection with Nagle off, so each write leaves at once.
pub fn connect(address: &str, timeout: Duration) -> Result<TcpStream, String> {
    let addr = address
        .to_socket_addrs()
        .map_err(|e| format!("{address}: {e}"))?
        .next()
        .ok_or_else(|| format!("{address}: no address"))?;
    let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect {address}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    Ok(stream)
}

/// Sends what the engine queued and feeds it what the peer says until
/// `ready` holds (checked after each step), the engine fails, or the
/// deadline passes.
pub fn drive(
    conn: &mut Connection,
    stream: &mut TcpStream,
    timeout: Duration,
    mut ready: impl FnMut(&mut Connection, &[ConnectionEvent]) -> bool,
) -> Result<Vec<ConnectionEvent>, String> {
    let deadline = Instant::now() + timeout;
    let mut events = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        if ready(conn, &events) {
            return Ok(events);
        }
        let out = conn.take_output();
        if !out.is_empty() {
            stream.write_all(&out).map_err(|e| format!("send: {e}"))?;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("timed out before the probe could go out".into());
        }
        stream.set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
        match stream.read(&mut buf) {
            Ok(0) => return Err("the peer closed before the probe".into()),
            Ok(n) => {
                conn.feed(buf.get(..n).unwrap_or_default()).map_err(|e| format!("engine: {e}"))?;
                while let Some(ev) = conn.next_event() {
                    events.push(ev);
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::Interrupted) => {}
            Err(e) => return Err(format!("receive: {e}")),
        }
    }
}

/// A record as sent: content type, version, fragment.
pub type RawRecord = (u8, [u8; 2], Vec<u8>);

/// Splits a byte stream of whole records; `None` if it does not end on a
/// record boundary.
pub fn split_records(mut bytes: &[u8]) -> Option<Vec<RawRecord>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (header, rest) = bytes.split_at_checked(HEADER_LEN)?;
        let [typ, v0, v1, l0, l1] = <[u8; HEADER_LEN]>::try_from(header).ok()?;
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let (fragment, rest) = rest.split_at_checked(len)?;
        out.push((typ, [v0, v1], fragment.to_vec()));
        bytes = rest;
    }
    Some(out)
}

/// One record (RFC 5246 6.2.1).
pub fn record(typ: u8, version: [u8; 2], fragment: &[u8]) -> Vec<u8> {
    let len = u16::try_from(fragment.len()).unwrap_or(u16::MAX).to_be_bytes();
    [&[typ], version.as_slice(), len.as_slice(), fragment].concat()
}

/// Replaces the plaintext handshake records before the ChangeCipherSpec
/// (the client's ClientKeyExchange) with one record holding `handshake`.
pub fn swap_client_key_exchange(flight: &[u8], handshake: &[u8]) -> Result<Vec<u8>, String> {
    let records = split_records(flight).ok_or("the client flight is not whole records")?;
    let ccs = ContentType::ChangeCipherSpec.get();
    let at =
        records.iter().position(|(t, _, _)| *t == ccs).ok_or("no ChangeCipherSpec in the client flight")?;
    let version = records.first().map(|(_, v, _)| *v).unwrap_or([3, 3]);
    let mut out = record(ContentType::Handshake.get(), version, handshake);
    for (t, v, f) in records.iter().skip(at) {
        out.extend(record(*t, *v, f));
    }
    Ok(out)
}

/// Writes the probe in one call and waits for the first answer byte or the
/// close, on the monotonic clock. The clock starts just before the write:
/// on a busy machine the thread can lose the core inside the write while
/// the peer already answers, so a clock started after the write would
/// miss part of the peer's work (answers seen faster than the peer can
/// work); started before it, it only adds the write's own cost (a few
/// microseconds on loopback, the same for probes of the same length) and
/// delays, never early answers.
///
/// Also returns where the capture clock finds the same exchange: the
/// client port and the wall-clock time (ns since the epoch) just before
/// the write.
pub fn timed_exchange(
    stream: &mut TcpStream,
    probe: &[u8],
    timeout: Duration,
) -> Result<(Duration, Answer, Option<Wire>), String> {
    stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    let port = stream.local_addr().map_err(|e| e.to_string())?.port();
    let mut buf = [0u8; 4096];
    let written_at_ns = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let start = Instant::now();
    stream.write_all(probe).map_err(|e| format!("send probe: {e}"))?;
    let got = stream.read(&mut buf);
    let elapsed = start.elapsed();
    let answer = match got {
        Ok(0) => Answer::Closed,
        Ok(n) => classify(buf.get(..n).unwrap_or_default()),
        Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => {
            Answer::Closed
        }
        Err(e) => return Err(format!("no answer to the probe: {e}")),
    };
    Ok((elapsed, answer, Some(Wire { port, written_at_ns })))
}

/// Where a sample went on the wire, for the capture clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wire {
    pub port: u16,
    pub written_at_ns: u128,
}

/// The first bytes of an answer, classified.
pub fn classify(bytes: &[u8]) -> Answer {
    let alert = ContentType::Alert.get();
    match bytes {
        [t, _, _, 0, 2, _, d, ..] if *t == alert => Answer::Alert(*d),
        [t, ..] => Answer::Record(*t),
        [] => Answer::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_exchange_record_is_swapped_and_the_rest_kept() {
        let flight = [
            record(22, [3, 3], &[16, 0, 0, 2, 0xaa, 0xbb]),
            record(20, [3, 3], &[1]),
            record(22, [3, 3], &[0xee; 40]),
        ]
        .concat();
        let out = swap_client_key_exchange(&flight, &[16, 0, 0, 1, 0xcc]).unwrap();
        let recs = split_records(&out).unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0], (22, [3, 3], vec![16, 0, 0, 1, 0xcc]));
        assert_eq!(recs[1], (20, [3, 3], vec![1]));
        assert_eq!(recs[2].2, vec![0xee; 40]);
        assert!(swap_client_key_exchange(&flight[..7], &[]).is_err());
        assert!(swap_client_key_exchange(&record(22, [3, 3], &[1]), &[]).is_err());
    }

    #[test]
    fn answers_are_classified() {
        assert_eq!(classify(&[21, 3, 3, 0, 2, 2, 20]), Answer::Alert(20));
        assert_eq!(classify(&[21, 3, 3, 0, 26, 1]), Answer::Record(21));
        assert_eq!(Answer::Alert(20).to_string(), "alert:bad_record_mac");
    }
}
