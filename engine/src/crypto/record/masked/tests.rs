use super::*;
use crate::crypto::record::Backend;
use crate::crypto::record::mac::RecordMac;

/// (MAC, SSL 3.0?, MAC length): every record MAC the engine has.
const MACS: [(MacAlgorithm, bool, usize); 6] = [
    (MacAlgorithm::Md5, false, 16),
    (MacAlgorithm::Sha1, false, 20),
    (MacAlgorithm::Sha256, false, 32),
    (MacAlgorithm::Sha384, false, 48),
    (MacAlgorithm::Md5, true, 16),
    (MacAlgorithm::Sha1, true, 20),
];

fn header(ssl3: bool) -> MacHeader {
    let version = if ssl3 { ProtocolVersion::Ssl3 } else { ProtocolVersion::Tls12 };
    MacHeader { seq: 0x0102_0304_0506_0708, typ: ContentType::ApplicationData, version }
}

/// A decrypted record body: `content_len` bytes of content, the MAC over
/// them from the `hmac` crate (the reference path), then filler up to
/// `total` bytes standing for the padding.
fn body(mac: &RecordMac, ssl3: bool, content_len: usize, total: usize) -> Vec<u8> {
    let h = header(ssl3);
    let mut data: Vec<u8> = (0..content_len).map(|i| (i * 31 + 5) as u8).collect();
    data.extend_from_slice(mac.compute(h.seq, h.typ, h.version, &data).as_slice());
    data.resize(total, 0xa5);
    data
}

/// For every MAC, record length and content length the padding allows,
/// the masked check agrees with the `hmac` crate's MAC: it accepts the
/// real content length and refuses the lengths next to it and a flipped
/// MAC byte.
#[test]
fn masked_check_agrees_with_the_reference_mac_at_every_content_length() {
    for (alg, ssl3, mac_len) in MACS {
        let key: Vec<u8> = (0..mac_len as u8).map(|i| i ^ 0x5a).collect();
        let version = if ssl3 { ProtocolVersion::Ssl3 } else { ProtocolVersion::Tls12 };
        let reference = RecordMac::new(Backend::RustCrypto, alg, version, &key).unwrap().unwrap();
        let masked = MaskedMac::new(alg, ssl3, &key).unwrap();
        let h = header(ssl3);
        for total in [mac_len + 1, mac_len + 64, mac_len + 200, mac_len + 257, 700, 1500] {
            let max_content = total - mac_len;
            for content_len in max_content.saturating_sub(MAX_PADDING)..=max_content {
                let ctx = format!("{alg:?} ssl3={ssl3} total {total} content {content_len}");
                let data = body(&reference, ssl3, content_len, total);
                assert!(bool::from(masked.verify(&h, &data, content_len, mac_len)), "{ctx}");
                for wrong in [content_len.wrapping_sub(1), content_len + 1] {
                    if wrong <= max_content && wrong + MAX_PADDING >= max_content {
                        assert!(!bool::from(masked.verify(&h, &data, wrong, mac_len)), "{ctx} as {wrong}");
                    }
                }
                let mut flipped = data.clone();
                flipped[content_len + mac_len / 2] ^= 1;
                assert!(!bool::from(masked.verify(&h, &flipped, content_len, mac_len)), "{ctx} flipped");
            }
        }
    }
}

/// A key longer than the hash block is hashed first (RFC 2104 2).
#[test]
fn long_hmac_keys_are_hashed_first() {
    let key = [0x42u8; 200];
    let reference = RecordMac::new(Backend::RustCrypto, MacAlgorithm::Sha256, ProtocolVersion::Tls12, &key)
        .unwrap()
        .unwrap();
    let masked = MaskedMac::new(MacAlgorithm::Sha256, false, &key).unwrap();
    let data = body(&reference, false, 100, 140);
    assert!(bool::from(masked.verify(&header(false), &data, 100, 32)));
}

#[test]
fn copy_mac_reads_the_mac_at_every_offset_of_the_window() {
    for mac_len in [16, 20, 32, 48] {
        let data: Vec<u8> = (0..400u32).map(|i| (i * 13 + 1) as u8).collect();
        let scan_start = 400 - mac_len - MAX_PADDING;
        for start in scan_start..=400 - mac_len {
            let got = copy_mac(&data, start, mac_len, scan_start);
            assert_eq!(&got[..mac_len], &data[start..start + mac_len], "mac_len {mac_len} start {start}");
        }
    }
}

#[test]
fn end_in_block_is_clamped_to_one_before_and_one_past_the_block() {
    assert_eq!(end_in_block(10, 64, 64), -1);
    assert_eq!(end_in_block(63, 64, 64), -1);
    assert_eq!(end_in_block(64, 64, 64), 0);
    assert_eq!(end_in_block(100, 64, 64), 36);
    assert_eq!(end_in_block(128, 64, 64), 64);
    assert_eq!(end_in_block(1 << 20, 64, 64), 64);
    assert_eq!(end_in_block(0, 1 << 20, 128), -1);
}

#[test]
fn masks_are_all_ones_or_zero() {
    assert_eq!(eq_mask(7, 7), u64::MAX);
    assert_eq!(eq_mask(7, 8), 0);
    assert_eq!(eq_mask(0, 0), u64::MAX);
    assert_eq!(eq_mask(0, 1 << 62), 0);
}

/// SHA-2 has no SSL 3.0 MAC, AEAD none at all.
#[test]
fn macs_rfc_6101_does_not_define_have_no_masked_form() {
    assert!(MaskedMac::new(MacAlgorithm::Sha256, true, &[0; 32]).is_none());
    assert!(MaskedMac::new(MacAlgorithm::Aead, false, &[]).is_none());
}
