//! The packet clock (`--clock pcap`): tcpdump captures loopback on the
//! peer's port with nanosecond timestamps while the probe runs, as
//! tlsfuzzer's timing runner does; each connection's time is then read
//! from the capture, from the last packet that carries the probe's bytes
//! to the peer's first answer packet (data, FIN or RST), and matched to
//! its sample by the client port and the wall-clock time the probe was
//! written. Kernel timestamps do not count the probe's own scheduling,
//! which is what a loaded machine adds to the socket clock.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use pcap_parser::{Linktype, PcapBlockOwned, PcapError, create_reader};

use super::probe::Collected;
use super::probe::wire::{Answer, classify};

/// Bytes kept of each packet: Ethernet, IPv4 and TCP headers with their
/// options, and the first bytes of a record, enough to classify an
/// answer (the payload's length comes from the IP header).
const SNAPLEN: &str = "160";

/// A running tcpdump; killed and reaped when dropped.
#[derive(Debug)]
pub struct Capturer {
    child: Option<Child>,
    file: PathBuf,
}

impl Capturer {
    /// Starts tcpdump on loopback for TCP port `port`, writing `file`, and
    /// waits until it says it is listening.
    pub fn start(port: u16, file: &Path, timeout: Duration) -> Result<Self, String> {
        let mut child = Command::new("tcpdump")
            // Immediate mode: libpcap's TPACKET_V3 ring otherwise hands
            // packets over a block at a time, up to a second late, and
            // the stop would lose the last ones.
            .args(["-i", "lo", "-n", "-U", "--immediate-mode", "-B", "16384"])
            .args(["--time-stamp-precision=nano", "-s", SNAPLEN, "-w"])
            .arg(file)
            .args(["tcp", "port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("start tcpdump (needed by --clock pcap): {e}"))?;
        let stderr = child.stderr.take().ok_or("tcpdump: no stderr")?;
        let (tx, rx) = mpsc::channel();
        // tcpdump says "listening on lo, ..." once the capture is open; the
        // thread drains the pipe until tcpdump exits so it never blocks.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut capturer = Self { child: Some(child), file: file.to_owned() };
        let mut said = Vec::new();
        loop {
            match rx.recv_timeout(timeout) {
                Ok(line) if line.contains("listening on") => return Ok(capturer),
                Ok(line) => said.push(line),
                Err(_) => {
                    capturer.kill();
                    return Err(format!("tcpdump did not start listening: {}", said.join("; ")));
                }
            }
        }
    }

    /// Lets the last packets reach the file, stops tcpdump with SIGTERM
    /// (it then writes what it holds) and returns the file.
    pub fn stop(mut self) -> Result<PathBuf, String> {
        std::thread::sleep(Duration::from_millis(1500));
        let Some(mut child) = self.child.take() else { return Err("tcpdump already stopped".into()) };
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match child.try_wait() {
                Ok(Some(_)) => return Ok(self.file.clone()),
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err("tcpdump did not stop on SIGTERM".into());
                }
            }
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Capturer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One connection as the capture saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionTime {
    /// Wall-clock time of the probe's last packet, ns since the epoch.
    pub probe_at_ns: u128,
    /// From that packet to the peer's first answer packet.
    pub nanos: u64,
    pub answer: Answer,
}

/// What one TCP connection has shown so far.
#[derive(Default)]
struct Open {
    probe_at: Option<u128>,
    answer: Option<(u128, Answer)>,
}

impl Open {
    fn finish(self) -> Option<ConnectionTime> {
        let probe_at = self.probe_at?;
        let (at, answer) = self.answer?;
        let nanos = u64::try_from(at.checked_sub(probe_at)?).ok()?;
        Some(ConnectionTime { probe_at_ns: probe_at, nanos, answer })
    }
}

/// One TCP segment, as far as the clock needs it.
struct Segment {
    ts_ns: u128,
    client_port: u16,
    from_client: bool,
    syn_only: bool,
    end: bool,
    payload_len: usize,
    payload: Vec<u8>,
}

/// Every connection to `server_port` in a pcap file, by client port, in
/// capture order. A connection counts once its client has sent data and
/// the server has answered the client's last data: the probe is the last
/// thing a probe client sends.
pub fn connection_times(file: &Path, server_port: u16) -> Result<HashMap<u16, Vec<ConnectionTime>>, String> {
    let reader = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut pcap = create_reader(1 << 20, reader).map_err(|e| format!("{}: {e:?}", file.display()))?;
    let mut nano = false;
    let mut linktype = Linktype::ETHERNET;
    let mut open: HashMap<u16, Open> = HashMap::new();
    let mut done: HashMap<u16, Vec<ConnectionTime>> = HashMap::new();
    loop {
        let (used, segment) = match pcap.next() {
            Ok((used, block)) => {
                let segment = match block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        nano = h.is_nanosecond_precision();
                        linktype = h.network;
                        None
                    }
                    PcapBlockOwned::Legacy(p) => {
                        let frac = u128::from(p.ts_usec) * if nano { 1 } else { 1_000 };
                        let ts_ns = u128::from(p.ts_sec) * 1_000_000_000 + frac;
                        let data = p.data.get(..p.caplen as usize).unwrap_or(p.data);
                        segment(ts_ns, data, linktype, server_port)
                    }
                    PcapBlockOwned::NG(_) => {
                        return Err("a pcapng file; the clock reads pcap (tcpdump -w)".into());
                    }
                };
                (used, segment)
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => {
                // tcpdump stopped mid-packet, or the buffer needs more.
                if pcap.refill().is_err() {
                    break;
                }
                continue;
            }
            Err(e) => return Err(format!("{}: {e:?}", file.display())),
        };
        pcap.consume(used);
        let Some(s) = segment else { continue };
        if s.from_client && s.syn_only {
            if let Some(conn) = open.insert(s.client_port, Open::default()).and_then(Open::finish) {
                done.entry(s.client_port).or_default().push(conn);
            }
            continue;
        }
        let conn = open.entry(s.client_port).or_default();
        if s.from_client {
            if s.payload_len > 0 {
                // Data after an answer: that answer was to something else.
                conn.probe_at = Some(s.ts_ns);
                conn.answer = None;
            }
        } else if conn.probe_at.is_some() && conn.answer.is_none() && (s.payload_len > 0 || s.end) {
            let answer = if s.payload_len > 0 { classify(&s.payload) } else { Answer::Closed };
            conn.answer = Some((s.ts_ns, answer));
        }
    }
    for (port, conn) in open {
        if let Some(c) = conn.finish() {
            done.entry(port).or_default().push(c);
        }
    }
    for list in done.values_mut() {
        list.sort_by_key(|c| c.probe_at_ns);
    }
    Ok(done)
}

/// The TCP segment in one captured frame to or from `server_port`.
fn segment(ts_ns: u128, data: &[u8], linktype: Linktype, server_port: u16) -> Option<Segment> {
    // Captures are cut at SNAPLEN: the lax parser reads headers of a
    // truncated packet.
    let packet = match linktype {
        Linktype::ETHERNET => LaxSlicedPacket::from_ethernet(data).ok()?,
        Linktype::RAW | Linktype::IPV4 => LaxSlicedPacket::from_ip(data).ok()?,
        _ => return None,
    };
    let Some(LaxNetSlice::Ipv4(ip)) = &packet.net else { return None };
    let Some(TransportSlice::Tcp(tcp)) = &packet.transport else { return None };
    let header = ip.header();
    // RFC 791: total length less the IP header; RFC 9293 3.1: less the
    // TCP header (data offset in 32-bit words).
    let payload_len = usize::from(header.total_len())
        .saturating_sub(usize::from(header.ihl()) * 4)
        .saturating_sub(usize::from(tcp.data_offset()) * 4);
    let from_client = tcp.destination_port() == server_port;
    if !from_client && tcp.source_port() != server_port {
        return None;
    }
    Some(Segment {
        ts_ns,
        client_port: if from_client { tcp.source_port() } else { tcp.destination_port() },
        from_client,
        syn_only: tcp.syn() && !tcp.ack(),
        end: tcp.fin() || tcp.rst(),
        payload_len,
        payload: tcp.payload().to_vec(),
    })
}

/// The capture's connection for a sample: same client port, probe packet
/// nearest the wall-clock time the sample's write began, within `window`.
pub fn find(
    times: &HashMap<u16, Vec<ConnectionTime>>,
    port: u16,
    written_at_ns: u128,
    window: Duration,
) -> Option<&ConnectionTime> {
    times
        .get(&port)?
        .iter()
        .min_by_key(|c| c.probe_at_ns.abs_diff(written_at_ns))
        .filter(|c| c.probe_at_ns.abs_diff(written_at_ns) <= window.as_nanos())
}

/// What retiming a run from its capture came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Retimed {
    /// Samples the capture had a connection for.
    pub matched: usize,
    /// Samples it had none for; their blocks leave the analysis.
    pub unmatched: usize,
    /// Matched samples whose answer in the capture is not the one the
    /// socket read.
    pub answers_differ: usize,
    pub blocks_kept: usize,
}

/// Puts the capture's times in the samples (keeping the socket's beside
/// them) and rebuilds the paired blocks from the blocks whose every sample
/// was found in the capture.
pub fn retime(collected: &mut Collected, times: &HashMap<u16, Vec<ConnectionTime>>) -> Retimed {
    // Ports are reused within seconds on a busy loopback, never within
    // one connection's life; the nearest probe in time is the sample's.
    let window = Duration::from_secs(1);
    let k = collected.classes.len();
    let blocks = collected.paired.blocks.len();
    let mut table: Vec<Vec<Option<f64>>> = vec![vec![None; k]; blocks];
    let (mut matched, mut unmatched, mut answers_differ) = (0, 0, 0);
    for s in &mut collected.samples {
        let found = s.wire.and_then(|w| find(times, w.port, w.written_at_ns, window));
        match found {
            Some(c) => {
                matched += 1;
                answers_differ += usize::from(c.answer != s.answer);
                s.socket_nanos = Some(s.nanos);
                s.nanos = c.nanos;
                s.capture_answer = Some(c.answer.clone());
                if let Some(cell) = table.get_mut(s.block).and_then(|b| b.get_mut(s.class)) {
                    *cell = Some(c.nanos as f64);
                }
            }
            None => unmatched += 1,
        }
    }
    // A sample the capture missed has no time on this clock.
    collected.samples.retain(|s| s.socket_nanos.is_some());
    collected.paired.blocks =
        table.into_iter().filter_map(|b| b.into_iter().collect::<Option<Vec<f64>>>()).collect();
    Retimed { matched, unmatched, answers_differ, blocks_kept: collected.paired.blocks.len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::PacketBuilder;

    const SERVER: u16 = 4433;

    /// One frame: (ns since the epoch, client port, from the client, flags
    /// "S" (SYN alone), "F", "R" or "" , payload).
    type Frame<'a> = (u128, u16, bool, &'a str, &'a [u8]);

    /// A nanosecond pcap file (magic a1b23c4d, Ethernet) of the frames,
    /// cut at `snaplen` like tcpdump -s.
    fn pcap(frames: &[Frame<'_>], snaplen: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for v in [0xa1b2_3c4du32.to_le_bytes().as_slice(), &2u16.to_le_bytes(), &4u16.to_le_bytes()] {
            out.extend_from_slice(v);
        }
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&65_535u32.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        for (ts, port, from_client, flags, payload) in frames {
            let (src, dst) = if *from_client { (*port, SERVER) } else { (SERVER, *port) };
            let mut b = PacketBuilder::ethernet2([0; 6], [0; 6])
                .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
                .tcp(src, dst, 1, 512);
            b = match *flags {
                "S" => b.syn(),
                "F" => b.fin().ack(1),
                "R" => b.rst(),
                _ => b.ack(1),
            };
            let mut frame = Vec::new();
            b.write(&mut frame, payload).unwrap();
            let cap = frame.len().min(snaplen);
            let secs = u32::try_from(ts / 1_000_000_000).unwrap();
            let nanos = u32::try_from(ts % 1_000_000_000).unwrap();
            for v in [secs, nanos, cap as u32, frame.len() as u32] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out.extend_from_slice(&frame[..cap]);
        }
        out
    }

    fn times(frames: &[Frame<'_>]) -> HashMap<u16, Vec<ConnectionTime>> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.pcap");
        std::fs::write(&file, pcap(frames, 80)).unwrap();
        connection_times(&file, SERVER).unwrap()
    }

    const ALERT: &[u8] = &[21, 3, 3, 0, 2, 2, 20];
    const HELLO: &[u8] = &[22, 3, 3, 0, 200];
    const SEC: u128 = 1_000_000_000;

    #[test]
    fn the_time_runs_from_the_last_client_data_to_the_next_answer() {
        let big = vec![22u8; 300];
        let t = times(&[
            (SEC, 5000, true, "S", &[]),
            (SEC + 10, 5000, true, "", HELLO),
            // The server's flight answers the hello, not the probe.
            (SEC + 500, 5000, false, "", &big),
            (SEC + 900, 5000, true, "", &big),
            // An ACK without data is no answer.
            (SEC + 905, 5000, false, "", &[]),
            (SEC + 3_900, 5000, false, "", ALERT),
            (SEC + 4_000, 5000, true, "F", &[]),
            // The same port again later, answered by a close alone.
            (5 * SEC, 5000, true, "S", &[]),
            (5 * SEC + 100, 5000, true, "", HELLO),
            (5 * SEC + 700, 5000, false, "F", &[]),
            // A port whose probe got no answer in the capture.
            (6 * SEC, 6000, true, "S", &[]),
            (6 * SEC + 10, 6000, true, "", HELLO),
        ]);
        let c = &t[&5000];
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0], ConnectionTime { probe_at_ns: SEC + 900, nanos: 3_000, answer: Answer::Alert(20) });
        assert_eq!(c[1], ConnectionTime { probe_at_ns: 5 * SEC + 100, nanos: 600, answer: Answer::Closed });
        assert!(!t.contains_key(&6000));
        // The sample is the connection nearest its write time, within the
        // window; none if no connection of its port is near.
        let w = Duration::from_secs(1);
        assert_eq!(find(&t, 5000, 5 * SEC, w).unwrap().nanos, 600);
        assert_eq!(find(&t, 5000, SEC + 800, w).unwrap().nanos, 3_000);
        assert!(find(&t, 5000, 3 * SEC, w).is_none());
        assert!(find(&t, 7000, SEC, w).is_none());
    }

    #[test]
    fn a_reset_is_an_answer_and_a_file_that_is_no_capture_an_error() {
        let frames: Vec<Frame<'_>> = vec![
            (SEC, 5001, true, "S", &[]),
            (SEC + 5, 5001, true, "", HELLO),
            (SEC + 55, 5001, false, "R", &[]),
        ];
        let t = times(&frames);
        assert_eq!(t[&5001][0].answer, Answer::Closed);
        assert_eq!(t[&5001][0].nanos, 50);
        // Not a pcap: refused with a message, no panic.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x");
        std::fs::write(&file, b"not a capture at all").unwrap();
        assert!(connection_times(&file, SERVER).is_err());
    }
}
