//! A transcript as a pcapng file that opens decrypted in Wireshark: each of
//! the case's connections becomes a synthetic IPv4/TCP connection on
//! loopback (handshake, one segment per record with correct sequence and
//! acknowledgement numbers and checksums, then FIN both ways), and the NSS
//! key log rides along as a Decryption Secrets Block, so `tshark -r F`
//! decrypts without a key log file. In-memory peers never had a socket;
//! real peers did, but the transcript keeps the records, not the segments,
//! so every capture is synthesised the same way.
//!
//! Blocks are written with `pcap-parser` (pcapng, RFC draft
//! draft-ietf-opsawg-pcapng), packets built with `etherparse`.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use etherparse::PacketBuilder;
use pcap_parser::{
    BOM_MAGIC, DSB_MAGIC, DecryptionSecretsBlock, EPB_MAGIC, EnhancedPacketBlock, IDB_MAGIC,
    InterfaceDescriptionBlock, Linktype, OptionCode, PcapNGOption, SHB_MAGIC, SecretsType,
    SectionHeaderBlock, ToVec,
};

use crate::run::transcript::{Direction, Transcript};

/// The TLS client's address and its first port (connection i uses
/// `CLIENT_PORT + i`), and the server's: 443, so Wireshark reads TLS
/// without being told.
const CLIENT: ([u8; 4], u16) = ([127, 0, 0, 1], 40_000);
const SERVER: ([u8; 4], u16) = ([127, 0, 0, 1], 443);
/// Initial sequence numbers, fixed so a capture is the same every time.
const CLIENT_ISN: u32 = 0x1000_0000;
const SERVER_ISN: u32 = 0x2000_0000;
/// Largest TCP payload per segment (loopback's MSS); a longer record is
/// split, which Wireshark reassembles.
const MSS: usize = 65_483;
const WINDOW: u16 = 65_535;
const TTL: u8 = 64;
/// Time between two synthetic packets.
const TICK: Duration = Duration::from_micros(100);

/// What a capture is made of.
#[derive(Debug, Clone, Copy)]
pub struct Capture<'a> {
    pub transcript: &'a Transcript,
    /// The engine was the TLS (so TCP) client.
    pub engine_is_client: bool,
    /// NSS key log lines, newline-terminated (may be empty).
    pub keylog: &'a str,
    /// The first packet's time.
    pub start: SystemTime,
}

/// One side of a synthetic TCP connection.
#[derive(Clone, Copy)]
struct End {
    addr: [u8; 4],
    port: u16,
    /// The next sequence number it sends.
    next: u32,
}

#[derive(Clone, Copy, Default)]
struct Flags {
    syn: bool,
    fin: bool,
    psh: bool,
    ack: bool,
}

/// The IPv4 packets of one capture, in order.
struct Packets {
    packets: Vec<Vec<u8>>,
}

impl Packets {
    fn segment(&mut self, from: &mut End, to: &End, flags: Flags, payload: &[u8]) -> Result<(), String> {
        let mut b = PacketBuilder::ipv4(from.addr, to.addr, TTL).tcp(from.port, to.port, from.next, WINDOW);
        if flags.syn {
            b = b.syn();
        }
        if flags.fin {
            b = b.fin();
        }
        if flags.psh {
            b = b.psh();
        }
        if flags.ack {
            b = b.ack(to.next);
        }
        let mut pkt = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut pkt, payload).map_err(|e| format!("pcap: building a segment: {e}"))?;
        // SYN and FIN each take one sequence number (RFC 9293 3.4).
        let len = payload.len() as u32 + u32::from(flags.syn) + u32::from(flags.fin);
        from.next = from.next.wrapping_add(len);
        self.packets.push(pkt);
        Ok(())
    }
}

/// The IPv4 packets of every connection of the transcript.
fn packets(c: &Capture<'_>) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Packets { packets: Vec::new() };
    let last = c.transcript.records.iter().map(|r| r.connection).max();
    for conn in 0..=last.unwrap_or(0) {
        let port = CLIENT.1.wrapping_add(conn as u16);
        let mut client = End { addr: CLIENT.0, port, next: CLIENT_ISN };
        let mut server = End { addr: SERVER.0, port: SERVER.1, next: SERVER_ISN };
        // The three-way handshake (RFC 9293 3.5).
        out.segment(&mut client, &server, Flags { syn: true, ..Flags::default() }, &[])?;
        out.segment(&mut server, &client, Flags { syn: true, ack: true, ..Flags::default() }, &[])?;
        out.segment(&mut client, &server, Flags { ack: true, ..Flags::default() }, &[])?;
        for r in c.transcript.records.iter().filter(|r| r.connection == conn) {
            let from_client = (r.dir == Direction::ToPeer) == c.engine_is_client;
            let (from, to) = match from_client {
                true => (&mut client, &mut server),
                false => (&mut server, &mut client),
            };
            let chunks: Vec<&[u8]> = r.bytes.chunks(MSS).collect();
            for (i, chunk) in chunks.iter().enumerate() {
                let psh = i + 1 == chunks.len();
                out.segment(from, to, Flags { ack: true, psh, ..Flags::default() }, chunk)?;
            }
        }
        // Both sides close; the client first.
        let fin = Flags { fin: true, ack: true, ..Flags::default() };
        out.segment(&mut client, &server, fin, &[])?;
        out.segment(&mut server, &client, fin, &[])?;
        out.segment(&mut client, &server, Flags { ack: true, ..Flags::default() }, &[])?;
    }
    Ok(out.packets)
}

fn block(mut b: impl ToVec, what: &str) -> Result<Vec<u8>, String> {
    b.to_vec().map_err(|e| format!("pcap: writing the {what} block: {e:?}"))
}

/// The capture as pcapng bytes: a section header, one raw-IPv4 interface,
/// the key log (a Decryption Secrets Block of type TLSK, before the
/// packets it decrypts), and the packets.
pub fn pcapng(c: &Capture<'_>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let appl = b"shakedown".to_vec();
    out.extend(block(
        SectionHeaderBlock {
            block_type: SHB_MAGIC,
            block_len1: 0,
            bom: BOM_MAGIC,
            major_version: 1,
            minor_version: 0,
            section_len: -1,
            options: vec![PcapNGOption {
                code: OptionCode::ShbUserAppl,
                len: appl.len() as u16,
                value: Cow::Owned(appl),
            }],
            block_len2: 0,
        },
        "section header",
    )?);
    out.extend(block(
        InterfaceDescriptionBlock {
            block_type: IDB_MAGIC,
            block_len1: 0,
            linktype: Linktype::RAW,
            reserved: 0,
            snaplen: 0,
            options: Vec::new(),
            block_len2: 0,
            // Microseconds.
            if_tsresol: 6,
            if_tsoffset: 0,
        },
        "interface description",
    )?);
    if !c.keylog.is_empty() {
        let data = c.keylog.as_bytes();
        out.extend(block(
            DecryptionSecretsBlock {
                block_type: DSB_MAGIC,
                block_len1: 0,
                secrets_type: SecretsType::TlsKeyLog,
                secrets_len: data.len() as u32,
                data,
                options: Vec::new(),
                block_len2: 0,
            },
            "decryption secrets",
        )?);
    }
    let start = c.start.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    for (i, pkt) in packets(c)?.iter().enumerate() {
        let micros = (start + TICK * i as u32).as_micros() as u64;
        out.extend(block(
            EnhancedPacketBlock {
                block_type: EPB_MAGIC,
                block_len1: 0,
                if_id: 0,
                ts_high: (micros >> 32) as u32,
                ts_low: micros as u32,
                caplen: pkt.len() as u32,
                origlen: pkt.len() as u32,
                data: pkt,
                options: Vec::new(),
                block_len2: 0,
            },
            "packet",
        )?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    use pcap_parser::{Block, PcapBlockOwned, PcapNGSlice};

    /// A record's bytes: type, version 3.1, length, fragment.
    fn record(content_type: u8, fragment: &[u8]) -> Vec<u8> {
        let mut r = vec![content_type, 3, 1];
        r.extend((fragment.len() as u16).to_be_bytes());
        r.extend(fragment);
        r
    }

    /// What one direction of one TCP connection carried.
    #[derive(Default, Debug)]
    struct Stream {
        data: Vec<u8>,
        syn: bool,
        fin: bool,
        next: Option<u32>,
    }

    struct Read {
        keylog: Vec<Vec<u8>>,
        /// (client port, from client) -> stream.
        streams: std::collections::BTreeMap<(u16, bool), Stream>,
        packets: usize,
    }

    /// Parses a capture back, checking every checksum and that each
    /// segment starts where the last one of its direction ended.
    fn read(bytes: &[u8]) -> Read {
        let mut r = Read { keylog: Vec::new(), streams: Default::default(), packets: 0 };
        let mut seen_packet = false;
        for b in PcapNGSlice::from_slice(bytes).expect("a pcapng section") {
            let PcapBlockOwned::NG(b) = b.expect("a block") else { panic!("not pcapng") };
            match b {
                Block::DecryptionSecrets(d) => {
                    assert!(!seen_packet, "the key log comes before the packets");
                    assert_eq!(d.secrets_type, SecretsType::TlsKeyLog);
                    r.keylog.push(d.data.to_vec());
                }
                Block::EnhancedPacket(p) => {
                    seen_packet = true;
                    r.packets += 1;
                    let data = &p.data[..p.caplen as usize];
                    let s = SlicedPacket::from_ip(data).expect("an IP packet");
                    let Some(NetSlice::Ipv4(ip)) = s.net else { panic!("not IPv4") };
                    let h = ip.header().to_header();
                    assert_eq!(h.calc_header_checksum(), h.header_checksum, "IPv4 checksum");
                    let Some(TransportSlice::Tcp(tcp)) = s.transport else { panic!("not TCP") };
                    let sum = tcp.calc_checksum_ipv4(h.source, h.destination).unwrap();
                    assert_eq!(sum, tcp.checksum(), "TCP checksum");
                    let from_client = tcp.destination_port() == SERVER.1;
                    let port = if from_client { tcp.source_port() } else { tcp.destination_port() };
                    let st = r.streams.entry((port, from_client)).or_default();
                    if let Some(next) = st.next {
                        assert_eq!(tcp.sequence_number(), next, "a gap or overlap");
                    }
                    let used = tcp.payload().len() as u32 + u32::from(tcp.syn()) + u32::from(tcp.fin());
                    st.next = Some(tcp.sequence_number().wrapping_add(used));
                    st.syn |= tcp.syn();
                    st.fin |= tcp.fin();
                    st.data.extend(tcp.payload());
                }
                _ => {}
            }
        }
        r
    }

    fn transcript(conns: &[&[(Direction, Vec<u8>)]]) -> Transcript {
        let mut t = Transcript::new();
        for c in conns {
            t.begin_connection();
            for (d, b) in c.iter() {
                t.add(*d, b);
            }
        }
        t.finish();
        t
    }

    #[test]
    fn both_streams_reassemble_byte_exact_with_the_key_log_embedded() {
        let hello = record(22, &[1, 0, 0, 2, 3, 1]);
        let big = record(23, &vec![0xab; 16_384 + 2048]);
        let alert = record(21, &[2, 40]);
        let conn = [
            (Direction::ToPeer, hello.clone()),
            (Direction::FromPeer, big.clone()),
            (Direction::ToPeer, alert.clone()),
            // Bytes that never make a record.
            (Direction::FromPeer, vec![22, 3, 1, 0]),
        ];
        let t = transcript(&[&conn]);
        let keylog = "CLIENT_RANDOM 00 11\n";
        for engine_is_client in [true, false] {
            let c = Capture { transcript: &t, engine_is_client, keylog, start: SystemTime::UNIX_EPOCH };
            let r = read(&pcapng(&c).unwrap());
            assert_eq!(r.keylog, vec![keylog.as_bytes().to_vec()]);
            let engine_sent = [hello.clone(), alert.clone()].concat();
            let peer_sent = [big.clone(), vec![22, 3, 1, 0]].concat();
            let (client, server) = match engine_is_client {
                true => (engine_sent, peer_sent),
                false => (peer_sent, engine_sent),
            };
            let c = r.streams.get(&(CLIENT.1, true)).unwrap();
            let s = r.streams.get(&(CLIENT.1, false)).unwrap();
            assert_eq!(c.data, client);
            assert_eq!(s.data, server);
            assert!(c.syn && c.fin && s.syn && s.fin);
            // 3 to open, 4 records, 3 to close.
            assert_eq!(r.packets, 10);
        }
    }

    #[test]
    fn each_connection_of_a_case_is_its_own_tcp_connection() {
        let first = [(Direction::ToPeer, record(22, &[1; 9])), (Direction::FromPeer, record(22, &[2; 7]))];
        let second = [(Direction::ToPeer, record(22, &[3; 5])), (Direction::FromPeer, record(21, &[2, 10]))];
        let t = transcript(&[&first, &second]);
        let c = Capture { transcript: &t, engine_is_client: true, keylog: "", start: SystemTime::now() };
        let r = read(&pcapng(&c).unwrap());
        assert!(r.keylog.is_empty(), "no key log, no block");
        assert_eq!(r.streams.len(), 4);
        assert_eq!(r.streams.get(&(CLIENT.1, true)).unwrap().data, first[0].1);
        assert_eq!(r.streams.get(&(CLIENT.1, false)).unwrap().data, first[1].1);
        assert_eq!(r.streams.get(&(CLIENT.1 + 1, true)).unwrap().data, second[0].1);
        assert_eq!(r.streams.get(&(CLIENT.1 + 1, false)).unwrap().data, second[1].1);
    }
}
