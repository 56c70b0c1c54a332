//! The deframer: records from arbitrary chunks, record_overflow from the
//! header alone, and the SSLv2-compatible hello only where allowed.

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod msgs_common;

use msgs_common::Gen;
use shakedown_engine::codec::Codec;
use shakedown_engine::msgs::enums::*;
use shakedown_engine::msgs::record::{MAX_CIPHERTEXT, MAX_PLAINTEXT};
use shakedown_engine::msgs::*;

fn records(g: &mut Gen, n: usize) -> Vec<Record> {
    (0..n)
        .map(|_| Record {
            content_type: ContentType::from_wire(g.u8() & 0x7f),
            version: ProtocolVersion::Tls12,
            fragment: g.bytes_in(0, 300),
        })
        .collect()
}

fn drain(d: &mut Deframer) -> Vec<Deframed> {
    let mut out = Vec::new();
    while let Some(x) = d.pop().unwrap() {
        out.push(x);
    }
    out
}

#[test]
fn limits_are_the_rfc_ones() {
    assert_eq!(MAX_PLAINTEXT, 16384);
    assert_eq!(MAX_CIPHERTEXT, 16384 + 2048);
}

#[test]
fn records_come_out_whole_from_one_byte_chunks() {
    let mut g = Gen::new(10);
    let recs = records(&mut g, 8);
    let stream: Vec<u8> = recs.iter().flat_map(|r| r.to_bytes()).collect();
    let mut d = Deframer::new();
    let mut got = Vec::new();
    for b in &stream {
        d.push(std::slice::from_ref(b));
        got.extend(drain(&mut d));
    }
    assert_eq!(got, recs.into_iter().map(Deframed::Record).collect::<Vec<_>>());
    assert!(!d.has_partial());
}

#[test]
fn records_come_out_whole_from_random_chunks_and_one_big_chunk() {
    let mut g = Gen::new(11);
    let recs = records(&mut g, 20);
    let stream: Vec<u8> = recs.iter().flat_map(|r| r.to_bytes()).collect();
    let want: Vec<_> = recs.into_iter().map(Deframed::Record).collect();

    let mut d = Deframer::new();
    d.push(&stream);
    assert_eq!(drain(&mut d), want);

    let mut d = Deframer::new();
    let mut got = Vec::new();
    let mut at = 0;
    while at < stream.len() {
        let n = g.range(1, 700).min(stream.len() - at);
        d.push(&stream[at..at + n]);
        at += n;
        got.extend(drain(&mut d));
    }
    assert_eq!(got, want);
}

#[test]
fn over_long_declared_length_fails_before_the_body_arrives() {
    let mut d = Deframer::new();
    d.push(&[23, 3, 3]);
    assert_eq!(d.pop(), Ok(None));
    d.push(&((MAX_CIPHERTEXT + 1) as u16).to_be_bytes());
    let e = DeframeError::RecordOverflow { len: MAX_CIPHERTEXT + 1, max: MAX_CIPHERTEXT };
    assert_eq!(d.pop(), Err(e.clone()));
    // Stays failed.
    d.push(&[0; 10]);
    assert_eq!(d.pop(), Err(e));

    // Exactly the limit is fine.
    let mut d = Deframer::new();
    d.push(&[23, 3, 3]);
    d.push(&(MAX_CIPHERTEXT as u16).to_be_bytes());
    assert_eq!(d.pop(), Ok(None));
    d.push(&vec![0; MAX_CIPHERTEXT]);
    assert!(matches!(d.pop(), Ok(Some(Deframed::Record(r))) if r.fragment.len() == MAX_CIPHERTEXT));

    // A lowered limit: plaintext before any cipher is active.
    let mut d = Deframer::new();
    d.set_max_fragment(MAX_PLAINTEXT);
    d.push(&[22, 3, 1]);
    d.push(&((MAX_PLAINTEXT + 1) as u16).to_be_bytes());
    assert_eq!(d.pop(), Err(DeframeError::RecordOverflow { len: MAX_PLAINTEXT + 1, max: MAX_PLAINTEXT }));
}

#[test]
fn sslv2_hello_is_recognised_only_first_and_only_on_a_server() {
    let mut g = Gen::new(12);
    let v2 = g.sslv2_hello().to_bytes();
    let rec = records(&mut g, 1).remove(0);

    // Server, first record: yielded whole, header included, in 1-byte chunks.
    let mut d = Deframer::server();
    let mut got = Vec::new();
    for b in v2.iter().chain(rec.to_bytes().iter()) {
        d.push(std::slice::from_ref(b));
        got.extend(drain(&mut d));
    }
    assert_eq!(got, vec![Deframed::Sslv2Hello(v2.clone()), Deframed::Record(rec.clone())]);
    let Deframed::Sslv2Hello(bytes) = &got[0] else { unreachable!() };
    assert!(Sslv2ClientHello::from_bytes(bytes).is_ok());

    // Server, after a first ordinary record: a high-bit byte is a record
    // header (an unknown content type, for the caller to refuse).
    let mut d = Deframer::server();
    d.push(&rec.to_bytes());
    d.push(&[0x80, 3, 1, 0, 1, 0]);
    assert_eq!(
        drain(&mut d),
        vec![
            Deframed::Record(rec.clone()),
            Deframed::Record(Record {
                content_type: ContentType::Unknown(0x80),
                version: ProtocolVersion::Tls10,
                fragment: vec![0],
            })
        ]
    );

    // Client: never.
    let mut d = Deframer::new();
    d.push(&[0x80, 0x2e, 1, 3, 1]);
    assert!(matches!(
        d.pop(),
        Ok(Some(Deframed::Record(Record { content_type: ContentType::Unknown(0x80), .. }))) | Ok(None)
    ));
}

#[test]
fn record_header_encodes_length_of_fragment() {
    let r =
        Record { content_type: ContentType::Alert, version: ProtocolVersion::Ssl3, fragment: vec![2, 40] };
    assert_eq!(r.to_bytes(), [21, 3, 0, 0, 2, 2, 40]);
}
