//! SSL 3.0's own constructions: the key derivation (RFC 6101 6.1, 6.2.2) and
//! the MD5/SHA-1 "MAC" over the handshake that Finished (RFC 6101 5.6.9) and
//! CertificateVerify (RFC 6101 5.6.8) share.

use md5::{Digest, Md5};
use sha1::Sha1;

/// 26 letters, one MD5 block (16 bytes) each.
pub(crate) const MAX_OUTPUT: usize = 26 * 16;

/// RFC 6101 6.1 / 6.2.2:
/// out = MD5(secret + SHA('A' + secret + seed)) +
///       MD5(secret + SHA('BB' + secret + seed)) + ...
/// For the master secret the seed is ClientHello.random + ServerHello.random,
/// for the key block ServerHello.random + ClientHello.random. Output past
/// [`MAX_OUTPUT`] is left as it was; `prf::prf` refuses such lengths.
pub(crate) fn ssl3_prf(secret: &[u8], seed: &[u8], out: &mut [u8]) {
    for (chunk, letter) in out.chunks_mut(16).zip(b'A'..=b'Z') {
        let count = usize::from(letter - b'A') + 1;
        let mut sha = Sha1::new();
        for _ in 0..count {
            sha.update([letter]);
        }
        let inner = sha.chain_update(secret).chain_update(seed).finalize();
        let block = Md5::new().chain_update(secret).chain_update(inner).finalize();
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o = *b;
        }
    }
}

/// RFC 6101 5.6.8 / 5.6.9: pad_1 is 0x36 and pad_2 is 0x5c, repeated 48
/// times for MD5 and 40 times for SHA.
const PAD1: u8 = 0x36;
const PAD2: u8 = 0x5c;
const MD5_PAD_LEN: usize = 48;
const SHA_PAD_LEN: usize = 40;

/// hash(master + pad_2 + hash(handshake + sender + master + pad_1)) for MD5
/// then SHA, concatenated (36 bytes). Finished passes the sender constant
/// (RFC 6101 5.6.9); CertificateVerify passes an empty sender (5.6.8).
/// `handshake` is the MD5 and SHA states over the handshake messages, which
/// run as the messages arrive ([`super::transcript::Transcript`]).
pub(crate) fn handshake_mac(master: &[u8; 48], handshake: (Md5, Sha1), sender: &[u8]) -> [u8; 36] {
    let (md5_handshake, sha_handshake) = handshake;
    let md5_inner =
        md5_handshake.chain_update(sender).chain_update(master).chain_update([PAD1; MD5_PAD_LEN]).finalize();
    let md5 =
        Md5::new().chain_update(master).chain_update([PAD2; MD5_PAD_LEN]).chain_update(md5_inner).finalize();
    let sha_inner =
        sha_handshake.chain_update(sender).chain_update(master).chain_update([PAD1; SHA_PAD_LEN]).finalize();
    let sha =
        Sha1::new().chain_update(master).chain_update([PAD2; SHA_PAD_LEN]).chain_update(sha_inner).finalize();
    let mut out = [0u8; 36];
    for (o, b) in out.iter_mut().zip(md5.iter().chain(sha.iter())) {
        *o = *b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_block_is_md5_of_secret_and_sha_of_a() {
        let mut out = [0u8; 16];
        ssl3_prf(b"pms", b"seed", &mut out);
        let inner = Sha1::digest(b"Apmsseed");
        let expected = Md5::new().chain_update(b"pms").chain_update(inner).finalize();
        assert_eq!(out[..], expected[..]);
    }

    #[test]
    fn third_block_uses_ccc() {
        let mut out = [0u8; 48];
        ssl3_prf(b"pms", b"seed", &mut out);
        let inner = Sha1::digest(b"CCCpmsseed");
        let expected = Md5::new().chain_update(b"pms").chain_update(inner).finalize();
        assert_eq!(out[32..], expected[..]);
    }
}
