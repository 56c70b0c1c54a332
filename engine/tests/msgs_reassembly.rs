//! Handshake reassembly: messages split over 1-byte records and several in
//! one record come out with their exact raw bytes (what the transcript
//! hash takes).

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod msgs_common;

use msgs_common::{Gen, VERSIONS};
use shakedown_engine::codec::DecodeError;
use shakedown_engine::msgs::enums::*;
use shakedown_engine::msgs::handshake::MAX_HANDSHAKE_BODY;
use shakedown_engine::msgs::*;

fn drain(j: &mut HandshakeJoiner) -> Vec<RawHandshake> {
    let mut out = Vec::new();
    while let Some(m) = j.pop().unwrap() {
        out.push(m);
    }
    out
}

#[test]
fn one_byte_records_join_into_exact_raw_messages() {
    let mut g = Gen::new(20);
    for v in VERSIONS {
        let ctx = HandshakeContext::new(v);
        let msgs = g.every_message(ctx);
        let mut j = HandshakeJoiner::new();
        let mut got = Vec::new();
        for m in &msgs {
            let bytes = m.to_bytes();
            for (i, b) in bytes.iter().enumerate() {
                j.push(&[*b]);
                got.extend(drain(&mut j));
                // Mid-message the joiner says so (a CCS now would be an error).
                assert_eq!(j.has_partial(), i + 1 < bytes.len());
            }
        }
        assert_eq!(got.len(), msgs.len());
        for (raw, m) in got.iter().zip(&msgs) {
            assert_eq!(raw.raw(), &m.to_bytes()[..]);
            assert_eq!(raw.typ(), m.typ);
            assert_eq!(&raw.decode(ctx).unwrap(), m);
        }
    }
}

#[test]
fn several_messages_in_one_record_come_out_in_order() {
    let mut g = Gen::new(21);
    let ctx = HandshakeContext::new(ProtocolVersion::Tls12);
    let msgs = g.every_message(ctx);
    let record: Vec<u8> = msgs.iter().flat_map(HandshakeMessage::to_bytes).collect();
    let mut j = HandshakeJoiner::new();
    j.push(&record);
    let got = drain(&mut j);
    assert_eq!(
        got.iter().map(|r| r.raw().to_vec()).collect::<Vec<_>>(),
        msgs.iter().map(HandshakeMessage::to_bytes).collect::<Vec<_>>()
    );
    assert!(!j.has_partial());
}

#[test]
fn messages_straddling_record_boundaries_join() {
    let mut g = Gen::new(22);
    let ctx = HandshakeContext::new(ProtocolVersion::Tls10);
    let msgs = g.every_message(ctx);
    let stream: Vec<u8> = msgs.iter().flat_map(HandshakeMessage::to_bytes).collect();
    let mut j = HandshakeJoiner::new();
    let mut got = Vec::new();
    let mut at = 0;
    while at < stream.len() {
        let n = g.range(1, 50).min(stream.len() - at);
        j.push(&stream[at..at + n]);
        at += n;
        got.extend(drain(&mut j));
    }
    let raws: Vec<_> = got.into_iter().map(RawHandshake::into_raw).collect();
    assert_eq!(raws, msgs.iter().map(HandshakeMessage::to_bytes).collect::<Vec<_>>());
}

#[test]
fn partial_message_is_reported_pending() {
    let mut j = HandshakeJoiner::new();
    assert!(!j.has_partial());
    j.push(&[20, 0]);
    assert!(j.has_partial());
    assert_eq!(j.pop(), Ok(None));
    j.push(&[0, 12]);
    assert_eq!(j.pop(), Ok(None));
    assert!(j.has_partial());
    j.push(&[0; 12]);
    let m = j.pop().unwrap().unwrap();
    assert_eq!(m.typ(), HandshakeType::Finished);
    assert_eq!(m.body(), &[0; 12]);
    assert!(!j.has_partial());
}

#[test]
fn over_long_declared_length_fails_as_soon_as_the_header_is_seen() {
    let mut j = HandshakeJoiner::new();
    j.push(&[20, 0x01, 0x00]);
    assert_eq!(j.pop(), Ok(None));
    j.push(&[0x01]);
    assert_eq!(
        j.pop(),
        Err(DecodeError::TooLong {
            what: "handshake message length",
            len: MAX_HANDSHAKE_BODY + 1,
            max: MAX_HANDSHAKE_BODY
        })
    );
    // Certificate has its own, larger limit.
    let mut j = HandshakeJoiner::new();
    j.push(&[11, 0x01, 0x90, 0x00]);
    assert_eq!(j.pop(), Ok(None));
    let mut j = HandshakeJoiner::new();
    j.push(&[11, 0x01, 0x90, 0x01]);
    assert!(matches!(j.pop(), Err(DecodeError::TooLong { what: "Certificate message length", .. })));
}
