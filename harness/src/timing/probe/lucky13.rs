//! The Lucky Thirteen classes (AlFardan and Paterson 2013): after a
//! completed handshake, one application-data record per sample, all of the
//! same length, that differ only in the CBC padding (RFC 5246 6.2.3.2)
//! and are all refused: valid padding of several lengths with a wrong MAC,
//! and invalid padding. A server whose MAC check runs over a length that
//! depends on the padding answers the long-padding records sooner.

use shakedown_engine::crypto::record::{ByteFlip, SealTweak};
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::{CipherKind, SuiteInfo};

/// Bytes of padding a TLS CBC record can carry at most: 255 plus the
/// padding_length byte (RFC 5246 6.2.3.2).
const MAX_PADDING: usize = 256;

#[derive(Debug, Clone)]
pub struct Lucky13Class {
    pub name: &'static str,
    pub what: String,
    /// Application data bytes, chosen so every class's record has the same
    /// length.
    pub payload_len: usize,
    pub tweak: SealTweak,
}

/// The classes for a CBC suite at a TLS version.
pub fn classes(suite: &SuiteInfo, version: ProtocolVersion) -> Result<Vec<Lucky13Class>, String> {
    let CipherKind::Block { block_len } = suite.cipher.kind() else {
        return Err(format!("lucky13 needs a CBC suite, {} is not one", suite.openssl_name));
    };
    if version.is_ssl3() {
        return Err("lucky13 needs TLS: SSL 3.0 padding is at most one block (RFC 6101 5.2.3.2)".into());
    }
    let mac = suite.mac.output_len();
    // Payload + MAC + padding, a whole number of blocks, with room for the
    // longest padding and one byte of data.
    let total = (mac + MAX_PADDING + 1).div_ceil(block_len) * block_len;
    let class = |name, padding: usize, bad_padding: bool| {
        let pad_byte = u8::try_from(padding).unwrap_or(u8::MAX);
        let what = match bad_padding {
            true => format!("{} padding bytes, one of them wrong; MAC right", padding + 1),
            false => format!("{} valid padding bytes, MAC wrong", padding + 1),
        };
        Lucky13Class {
            name,
            what,
            payload_len: total - mac - (padding + 1),
            tweak: SealTweak {
                corrupt_mac: (!bad_padding).then_some(ByteFlip { index: 0, xor: 0x01 }),
                padding_len: Some(pad_byte),
                corrupt_padding: bad_padding.then_some(ByteFlip { index: 1, xor: 0x01 }),
            },
        }
    };
    Ok(vec![
        class("pad_1_bad_mac", 0, false),
        class("pad_64_bad_mac", 63, false),
        class("pad_256_bad_mac", 255, false),
        class("bad_padding", 255, true),
        class("pad_1_bad_mac_control", 0, false),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use shakedown_engine::suites::by_name;

    #[test]
    fn every_class_has_the_same_record_length() {
        let suite = by_name("AES128-SHA").unwrap();
        let all = classes(suite, ProtocolVersion::Tls12).unwrap();
        for c in &all {
            let padding = usize::from(c.tweak.padding_len.unwrap()) + 1;
            assert_eq!(c.payload_len + 20 + padding, 288, "{}", c.name);
        }
        assert_eq!(all.iter().filter(|c| c.tweak.corrupt_mac.is_some()).count(), 4);
        assert!(classes(by_name("AES128-GCM-SHA256").unwrap(), ProtocolVersion::Tls12).is_err());
        assert!(classes(suite, ProtocolVersion::Ssl3).is_err());
    }
}
