//! Key derivation through OpenSSL: EVP_KDF TLS1-PRF for TLS, EVP digests for
//! SSL 3.0 (libssl's ssl3_generate_key_block and ssl3_final_finish_mac do
//! the same with EVP_Digest*).

use openssl::hash::{Hasher, MessageDigest};

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

/// Running digests of `transcript`, one per `mds`: what libssl holds by
/// Finished (its handshake buffer digested as messages arrive).
pub fn running(mds: &[MessageDigest], transcript: &[u8]) -> Vec<Hasher> {
    mds.iter()
        .map(|md| {
            let mut h = Hasher::new(*md).unwrap();
            h.update(transcript).unwrap();
            h
        })
        .collect()
}

/// SSL 3.0 Finished (RFC 6101 5.6.9), as ssl3_final_finish_mac: the
/// running MD5 and SHA-1 of the transcript copied and continued.
pub fn ssl3_verify_data(master: &[u8], md5_sha1: &[Hasher], sender: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(36);
    for (running, (md, pad_len)) in
        md5_sha1.iter().zip([(MessageDigest::md5(), 48), (MessageDigest::sha1(), 40)])
    {
        let mut inner = running.clone();
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

/// TLS Finished: PRF(master, label, Hash(transcript))[..12], the hash (MD5
/// || SHA-1 before TLS 1.2) finished on copies of the running digests, as
/// libssl's ssl_handshake_hash does.
pub fn tls_verify_data(prf: &Tls1Prf, running: &[Hasher], master: &[u8]) -> [u8; 12] {
    let mut h = Vec::with_capacity(48);
    for d in running {
        h.extend_from_slice(&d.clone().finish().unwrap());
    }
    let mut out = [0u8; 12];
    prf.derive(master, b"client finished", &h, &mut out);
    out
}
