//! Key derivation through OpenSSL: EVP_KDF TLS1-PRF for TLS, EVP digests for
//! SSL 3.0 (libssl's ssl3_generate_key_block and ssl3_final_finish_mac do
//! the same with EVP_Digest*).

use openssl::hash::{Hasher, MessageDigest, hash};

use super::ffi::Tls1Prf;

/// SSL 3.0 key derivation (RFC 6101 6.1, 6.2.2) as libssl's
/// ssl3_generate_key_block computes it.
pub fn ssl3_prf(secret: &[u8], seed: &[u8], out: &mut [u8]) {
    for (chunk, letter) in out.chunks_mut(16).zip(b'A'..=b'Z') {
        let count = usize::from(letter - b'A') + 1;
        let mut sha = Hasher::new(MessageDigest::sha1()).unwrap();
        sha.update(&vec![letter; count]).unwrap();
        sha.update(secret).unwrap();
        sha.update(seed).unwrap();
        let inner = sha.finish().unwrap();
        let mut md5 = Hasher::new(MessageDigest::md5()).unwrap();
        md5.update(secret).unwrap();
        md5.update(&inner).unwrap();
        let block = md5.finish().unwrap();
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o = *b;
        }
    }
}

/// SSL 3.0 Finished (RFC 6101 5.6.9), as ssl3_final_finish_mac.
pub fn ssl3_verify_data(master: &[u8], transcript: &[u8], sender: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(36);
    for (md, pad_len) in [(MessageDigest::md5(), 48), (MessageDigest::sha1(), 40)] {
        let mut inner = Hasher::new(md).unwrap();
        inner.update(transcript).unwrap();
        inner.update(sender).unwrap();
        inner.update(master).unwrap();
        inner.update(&[0x36; 48][..pad_len]).unwrap();
        let inner = inner.finish().unwrap();
        let mut outer = Hasher::new(md).unwrap();
        outer.update(master).unwrap();
        outer.update(&[0x5c; 48][..pad_len]).unwrap();
        outer.update(&inner).unwrap();
        out.extend_from_slice(&outer.finish().unwrap());
    }
    out
}

/// TLS Finished: PRF(master, label, Hash(transcript))[..12]; the hash is
/// MD5 || SHA-1 before TLS 1.2.
pub fn tls_verify_data(
    prf: &Tls1Prf,
    tls12_hash: Option<MessageDigest>,
    master: &[u8],
    transcript: &[u8],
) -> [u8; 12] {
    let h = match tls12_hash {
        Some(md) => hash(md, transcript).unwrap().to_vec(),
        None => {
            let mut v = hash(MessageDigest::md5(), transcript).unwrap().to_vec();
            v.extend_from_slice(&hash(MessageDigest::sha1(), transcript).unwrap());
            v
        }
    };
    let mut out = [0u8; 12];
    prf.derive(master, b"client finished", &h, &mut out);
    out
}
