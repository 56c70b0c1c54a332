//! The MAC check of a MAC-then-encrypt CBC record in constant time
//! (Lucky Thirteen: AlFardan and Paterson 2013; the timing note of RFC 5246
//! 6.2.3.2). Where the content ends depends on the padding length, which
//! is secret until the MAC verifies. So the inner hash runs over the
//! longest content the record could hold: the blocks where the real
//! content may end are built with masks (the content's bytes, then 0x80,
//! zeros and the length field wherever the real message would have them),
//! every one is compressed, and the chaining state after the real final
//! block is kept by a masked select. The received MAC is read out of a
//! fixed window by a rotated copy, without an address that depends on
//! where it starts. The compression function then runs as often, on the
//! same addresses, for every padding length. BoringSSL does the same
//! (`EVP_tls_cbc_digest_record`, `EVP_tls_cbc_copy_mac`).

use subtle::{Choice, ConstantTimeEq};

use super::block_hash::{BlockHash, MAX_BLOCK, MAX_OUTPUT, Md5, Running, Sha1, Sha256, Sha384};
use super::cbc::MAX_PADDING;
use super::copy_into;
use super::mac::{
    SSL3_PAD_LEN_MD5, SSL3_PAD_LEN_SHA, SSL3_PAD1 as SSL3_PAD1_BYTE, SSL3_PAD2 as SSL3_PAD2_BYTE,
};
use crate::msgs::enums::{ContentType, ProtocolVersion};
use crate::suites::MacAlgorithm;

/// RFC 6101 5.2.3.1: pad_1 and pad_2, 48 bytes for MD5 and 40 for SHA.
const SSL3_PAD1: [u8; SSL3_PAD_LEN_MD5] = [SSL3_PAD1_BYTE; SSL3_PAD_LEN_MD5];
const SSL3_PAD2: [u8; SSL3_PAD_LEN_MD5] = [SSL3_PAD2_BYTE; SSL3_PAD_LEN_MD5];

/// All ones if `a == b`, else zero.
fn eq_mask(a: u64, b: u64) -> u64 {
    let x = a ^ b;
    0u64.wrapping_sub(((x | x.wrapping_neg()) >> 63) ^ 1)
}

/// A record MAC keyed for the masked check: the inner and outer hashes
/// after their keyed prefixes.
pub(super) struct Keyed<H: BlockHash> {
    inner: Running<H>,
    outer: Running<H>,
    ssl3: bool,
}

impl<H: BlockHash> Keyed<H> {
    /// RFC 2104: the key (hashed first if longer than a block) xor ipad
    /// and opad.
    fn hmac(key: &[u8]) -> Self {
        let mut k = [0u8; MAX_BLOCK];
        if key.len() > H::BLOCK {
            let mut h = Running::<H>::new(&[]);
            h.feed(key);
            let d = h.finish();
            copy_into(&mut k, d.get(..H::OUTPUT).unwrap_or_default());
        } else {
            copy_into(&mut k, key);
        }
        let k = k.get(..H::BLOCK).unwrap_or_default();
        let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
        let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
        Self { inner: Running::new(&[&ipad]), outer: Running::new(&[&opad]), ssl3: false }
    }

    /// RFC 6101 5.2.3.1: the secret, then pad_1 (inner) or pad_2 (outer).
    fn ssl3(secret: &[u8], pad_len: usize) -> Self {
        let pad1 = SSL3_PAD1.get(..pad_len).unwrap_or_default();
        let pad2 = SSL3_PAD2.get(..pad_len).unwrap_or_default();
        Self { inner: Running::new(&[secret, pad1]), outer: Running::new(&[secret, pad2]), ssl3: true }
    }

    fn verify(&self, header: &MacHeader, data: &[u8], content_len: usize, mac_len: usize) -> Choice {
        let max_content = data.len().saturating_sub(mac_len);
        let min_content = max_content.saturating_sub(MAX_PADDING);
        let mut head = [0u8; 13];
        let head_len = header.write(&mut head, content_len, self.ssl3);
        let head = head.get(..head_len).unwrap_or_default();
        let body = data.get(..max_content).unwrap_or_default();
        let inner = masked_digest(&self.inner, head, body, content_len, min_content);
        let mut outer = self.outer.clone();
        outer.feed(inner.get(..H::OUTPUT).unwrap_or_default());
        let want = outer.finish();
        let got = copy_mac(data, content_len, mac_len, min_content);
        let want = want.get(..mac_len).unwrap_or_default();
        got.get(..mac_len).unwrap_or_default().ct_eq(want)
    }
}

/// The public part of the MAC input ahead of the content.
#[derive(Debug, Clone, Copy)]
pub(super) struct MacHeader {
    pub(super) seq: u64,
    pub(super) typ: ContentType,
    pub(super) version: ProtocolVersion,
}

impl MacHeader {
    /// RFC 5246 6.2.3.1: seq_num, type, version, length; SSL 3.0 has no
    /// version (RFC 6101 5.2.3.1). The length is the secret content length:
    /// a value written, never an address.
    fn write(&self, out: &mut [u8; 13], content_len: usize, ssl3: bool) -> usize {
        let seq = self.seq.to_be_bytes();
        let ver = self.version.get().to_be_bytes();
        let len = (content_len as u16).to_be_bytes();
        let parts: [&[u8]; 4] = [&seq, &[self.typ.get()], if ssl3 { &[] } else { &ver }, &len];
        let mut at = 0;
        for p in parts {
            copy_into(out.get_mut(at..).unwrap_or_default(), p);
            at += p.len();
        }
        at
    }
}

/// The inner hash of `keyed`, then `head`, then the first `content_len`
/// bytes of `body`, where `content_len` is secret and lies in
/// [`min_content`, `body.len()`]. The work and the addresses read depend on
/// the public lengths only.
fn masked_digest<H: BlockHash>(
    keyed: &Running<H>,
    head: &[u8],
    body: &[u8],
    content_len: usize,
    min_content: usize,
) -> [u8; MAX_OUTPUT] {
    let content_len = std::hint::black_box(content_len);
    // The message after the keyed state's whole blocks: its pending bytes,
    // the header, the body.
    let mut pre_buf = [0u8; MAX_BLOCK + 13];
    let pending = keyed.pending();
    copy_into(&mut pre_buf, pending);
    copy_into(pre_buf.get_mut(pending.len()..).unwrap_or_default(), head);
    let pre = pre_buf.get(..pending.len() + head.len()).unwrap_or_default();
    let secret_len = (pre.len() + content_len) as u64;
    let max_len = pre.len() + body.len();
    let min_len = pre.len() + min_content.min(body.len());
    // Blocks wholly before the shortest possible message end are never the
    // last: hash them as they are.
    let public_blocks = min_len / H::BLOCK;
    let mut h = Running::<H>::new(&[]);
    h.state = keyed.state;
    h.compressed = keyed.compressed;
    let public_bytes = public_blocks * H::BLOCK;
    h.feed(pre.get(..public_bytes.min(pre.len())).unwrap_or_default());
    h.feed(body.get(..public_bytes.saturating_sub(pre.len())).unwrap_or_default());
    h.compress_whole();
    let mut state = h.state;
    let mut kept = state;
    let mut field = [0u8; 16];
    let field = field.get_mut(..H::LENGTH_FIELD).unwrap_or_default();
    H::length_field(keyed.compressed as u64 + secret_len, field);
    // The block holding the 0x80 byte's end and the length field.
    let final_block = (secret_len + H::LENGTH_FIELD as u64) / H::BLOCK as u64;
    let last_possible = (max_len + H::LENGTH_FIELD) / H::BLOCK;
    let field_at = H::BLOCK - H::LENGTH_FIELD;
    let mut block = [0u8; MAX_BLOCK];
    for i in public_blocks..=last_possible {
        let base = i * H::BLOCK;
        let bytes = block.get_mut(..H::BLOCK).unwrap_or_default();
        message_bytes(pre, body, base, bytes);
        // Keep the content's bytes, put 0x80 where the message ends, zero
        // the rest. In i16 lanes, from the end's place in this block.
        let end = end_in_block(secret_len, base as u64, H::BLOCK);
        for (j, b) in (0i16..).zip(bytes.iter_mut()) {
            let content = ((j - end) >> 15) as u8;
            let d = j ^ end;
            let at_end = !(((d | d.wrapping_neg()) >> 15) as u8);
            *b = (*b & content) | (0x80 & at_end);
        }
        let is_final = std::hint::black_box(eq_mask(i as u64, final_block));
        // Past the message's end in its final block, so zero until now.
        for (b, f) in bytes.iter_mut().skip(field_at).zip(field.iter()) {
            *b |= f & is_final as u8;
        }
        H::compress(&mut state, bytes);
        H::select(&mut kept, &state, is_final);
    }
    let mut out = [0u8; MAX_OUTPUT];
    H::output(&kept, out.get_mut(..H::OUTPUT).unwrap_or_default());
    out
}

/// The message bytes at `base..base + out.len()` (public positions) of
/// `pre` then `body`, zeros past their end.
fn message_bytes(pre: &[u8], body: &[u8], base: usize, out: &mut [u8]) {
    out.fill(0);
    let end = base + out.len();
    let from_pre = pre.get(base.min(pre.len())..end.min(pre.len())).unwrap_or_default();
    copy_into(out, from_pre);
    let body_start = (base + from_pre.len()).saturating_sub(pre.len()).min(body.len());
    let body_end = end.saturating_sub(pre.len()).min(body.len());
    copy_into(
        out.get_mut(from_pre.len()..).unwrap_or_default(),
        body.get(body_start..body_end).unwrap_or_default(),
    );
}

/// Where the secret message length falls relative to the block at `base`,
/// clamped without a branch to [-1, `block`]: -1 if the message ended
/// before the block, `block` if it goes past it.
fn end_in_block(secret_len: u64, base: u64, block: usize) -> i16 {
    let r = secret_len as i64 - base as i64;
    let below = (r + 1) >> 63;
    let r = (r & !below) | below;
    let above = (block as i64 - r) >> 63;
    let r = (r & !above) | (block as i64 & above);
    r as i16
}

/// The `mac_len` bytes of `data` from the secret `mac_start`, which lies
/// in [`scan_start`, `data.len() - mac_len`]: every byte of the window is
/// read, each lands in a buffer at its index modulo `mac_len`, and the
/// buffer is then rotated by the secret offset in log steps of fixed
/// shape.
fn copy_mac(data: &[u8], mac_start: usize, mac_len: usize, scan_start: usize) -> [u8; MAX_OUTPUT] {
    let mut rotated = [0u8; MAX_OUTPUT];
    let mut out = [0u8; MAX_OUTPUT];
    if mac_len == 0 || mac_len > MAX_OUTPUT {
        return out;
    }
    // Where the MAC starts in the window; every byte and chunk below is
    // visited whatever its value.
    let rel = std::hint::black_box(mac_start).wrapping_sub(scan_start) as i32;
    let len = mac_len as i32;
    let mut offset = 0u64;
    let window = data.get(scan_start.min(data.len())..).unwrap_or_default();
    for (chunk_at, chunk) in (0i32..).step_by(mac_len).zip(window.chunks(mac_len)) {
        for ((r, &b), t) in rotated.iter_mut().zip(chunk).zip(chunk_at..) {
            let x = t - rel;
            let inside = !(x >> 31) & ((x - len) >> 31);
            *r |= b & inside as u8;
        }
        // The MAC's first byte is in this chunk: it sits at index
        // rel - chunk_at of the buffer.
        let x = rel - chunk_at;
        // Through a value barrier: a mask the compiler knows to be all or
        // nothing may become a branch.
        let starts_here = std::hint::black_box((!(x >> 31) & ((x - len) >> 31)) as i64 as u64);
        offset |= (x as u64) & starts_here;
    }
    // rotated[(offset + t) % mac_len] is the MAC's byte t.
    let mut shift = 1usize;
    while shift < mac_len {
        // A barrier again: without it the compiler hoisted this test out
        // of the loop below (a branch per bit of the secret offset, 40 ns
        // between padding lengths in memory).
        let take = std::hint::black_box(0u8.wrapping_sub(((offset >> shift.trailing_zeros()) & 1) as u8));
        let mut next = [0u8; MAX_OUTPUT];
        for (t, n) in next.iter_mut().enumerate().take(mac_len) {
            // t + shift < 2 * mac_len: a subtraction, not a division.
            let from = t + shift;
            let from = if from >= mac_len { from - mac_len } else { from };
            let moved = rotated.get(from).copied().unwrap_or(0);
            let here = rotated.get(t).copied().unwrap_or(0);
            *n = (moved & take) | (here & !take);
        }
        rotated = next;
        shift <<= 1;
    }
    copy_into(&mut out, rotated.get(..mac_len).unwrap_or_default());
    out
}

/// A record MAC keyed for the masked check, one per hash.
pub(super) enum MaskedMac {
    Md5(Box<Keyed<Md5>>),
    Sha1(Box<Keyed<Sha1>>),
    Sha256(Box<Keyed<Sha256>>),
    Sha384(Box<Keyed<Sha384>>),
}

impl MaskedMac {
    /// `None` for AEAD, and for the SSL 3.0 MAC over a SHA-2 hash (which
    /// RFC 6101 does not define; setup refuses it elsewhere).
    pub(super) fn new(alg: MacAlgorithm, ssl3: bool, key: &[u8]) -> Option<Self> {
        Some(match (alg, ssl3) {
            (MacAlgorithm::Md5, true) => Self::Md5(Box::new(Keyed::ssl3(key, SSL3_PAD_LEN_MD5))),
            (MacAlgorithm::Sha1, true) => Self::Sha1(Box::new(Keyed::ssl3(key, SSL3_PAD_LEN_SHA))),
            (MacAlgorithm::Md5, false) => Self::Md5(Box::new(Keyed::hmac(key))),
            (MacAlgorithm::Sha1, false) => Self::Sha1(Box::new(Keyed::hmac(key))),
            (MacAlgorithm::Sha256, false) => Self::Sha256(Box::new(Keyed::hmac(key))),
            (MacAlgorithm::Sha384, false) => Self::Sha384(Box::new(Keyed::hmac(key))),
            (MacAlgorithm::Sha256 | MacAlgorithm::Sha384, true) | (MacAlgorithm::Aead, _) => return None,
        })
    }

    /// Whether decrypted `data` (content, MAC, padding) holds the right MAC
    /// right after `content_len` bytes of content. `content_len` is secret
    /// and at least `data.len() - mac_len - 256` (callers guarantee it: the
    /// padding is at most 256 bytes, length byte included).
    pub(super) fn verify(
        &self,
        header: &MacHeader,
        data: &[u8],
        content_len: usize,
        mac_len: usize,
    ) -> Choice {
        match self {
            Self::Md5(k) => k.verify(header, data, content_len, mac_len),
            Self::Sha1(k) => k.verify(header, data, content_len, mac_len),
            Self::Sha256(k) => k.verify(header, data, content_len, mac_len),
            Self::Sha384(k) => k.verify(header, data, content_len, mac_len),
        }
    }
}

#[cfg(test)]
mod tests;
