//! The record MAC hashes as bare Merkle-Damgard compression functions, for
//! the masked CBC MAC check ([`super::masked`]): it needs the chaining state
//! after any block, which the `Digest` API hides. The compression functions
//! are the crates' own (`md-5`, `sha1` and `sha2` `block_api`); this file
//! adds what surrounds them: the initial values, the padding, the length
//! field and the output encoding (RFC 1321 3.1-3.5; FIPS 180-4 5.1, 5.3,
//! 6). The tests check every hash against its crate's `Digest`.

use super::copy_into;

/// One Merkle-Damgard hash.
pub(super) trait BlockHash {
    /// Block size in bytes.
    const BLOCK: usize;
    /// Bytes of the message-length field closing the last block.
    const LENGTH_FIELD: usize;
    /// Digest size in bytes.
    const OUTPUT: usize;
    type State: Copy;
    const IV: Self::State;
    /// Compresses `blocks`, a whole number of blocks (a partial tail is
    /// ignored; callers pass whole ones).
    fn compress(state: &mut Self::State, blocks: &[u8]);
    /// The length field for a message of `bytes` bytes, into `out`
    /// (`LENGTH_FIELD` bytes).
    fn length_field(bytes: u64, out: &mut [u8]);
    /// The digest of a finished state, into `out` (`OUTPUT` bytes).
    fn output(state: &Self::State, out: &mut [u8]);
    /// `dst = src` where `mask` is all ones, `dst` kept where it is zero,
    /// with no branch on `mask`.
    fn select(dst: &mut Self::State, src: &Self::State, mask: u64);
}

/// MD5 (RFC 1321).
#[derive(Debug)]
pub(super) struct Md5;
/// SHA-1 (FIPS 180-4).
#[derive(Debug)]
pub(super) struct Sha1;
/// SHA-256 (FIPS 180-4).
#[derive(Debug)]
pub(super) struct Sha256;
/// SHA-384 (FIPS 180-4).
#[derive(Debug)]
pub(super) struct Sha384;

/// A 64-bit bit length of `bytes` bytes, big- or little-endian.
fn bit_length(bytes: u64, big_endian: bool, out: &mut [u8]) {
    let bits = bytes.wrapping_mul(8);
    copy_into(out, &if big_endian { bits.to_be_bytes() } else { bits.to_le_bytes() });
}

/// 32-bit chaining words as digest bytes, big- or little-endian.
fn words_out(state: &[u32], big_endian: bool, out: &mut [u8]) {
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        copy_into(o, &if big_endian { w.to_be_bytes() } else { w.to_le_bytes() });
    }
}

fn select_words<const N: usize>(dst: &mut [u32; N], src: &[u32; N], mask: u64) {
    let mask = mask as u32;
    for (d, s) in dst.iter_mut().zip(src) {
        *d = (*s & mask) | (*d & !mask);
    }
}

impl BlockHash for Md5 {
    const BLOCK: usize = 64;
    const LENGTH_FIELD: usize = 8;
    const OUTPUT: usize = 16;
    type State = [u32; 4];
    // RFC 1321 3.3, as words.
    const IV: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    fn compress(state: &mut [u32; 4], blocks: &[u8]) {
        md5::block_api::compress(state, blocks.as_chunks::<64>().0);
    }
    // RFC 1321 3.2: the bit length, low-order word first, little-endian.
    fn length_field(bytes: u64, out: &mut [u8]) {
        bit_length(bytes, false, out);
    }
    // RFC 1321 3.5: low-order byte first.
    fn output(state: &[u32; 4], out: &mut [u8]) {
        words_out(state, false, out);
    }
    fn select(dst: &mut [u32; 4], src: &[u32; 4], mask: u64) {
        select_words(dst, src, mask);
    }
}

/// SHA-1 and SHA-256: 64-byte blocks, 32-bit words, big-endian (FIPS
/// 180-4 5.1.1 for the 64-bit length field, 6.1.2 and 6.2.2 for the
/// output).
macro_rules! sha_32bit_words {
    ($hash:ident, $words:literal, $compress:path, $iv:expr) => {
        impl BlockHash for $hash {
            const BLOCK: usize = 64;
            const LENGTH_FIELD: usize = 8;
            const OUTPUT: usize = 4 * $words;
            type State = [u32; $words];
            const IV: [u32; $words] = $iv;
            fn compress(state: &mut [u32; $words], blocks: &[u8]) {
                $compress(state, blocks.as_chunks::<64>().0);
            }
            fn length_field(bytes: u64, out: &mut [u8]) {
                bit_length(bytes, true, out);
            }
            fn output(state: &[u32; $words], out: &mut [u8]) {
                words_out(state, true, out);
            }
            fn select(dst: &mut [u32; $words], src: &[u32; $words], mask: u64) {
                select_words(dst, src, mask);
            }
        }
    };
}

// FIPS 180-4 5.3.1.
sha_32bit_words!(
    Sha1,
    5,
    sha1::block_api::compress,
    [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0]
);
// FIPS 180-4 5.3.3.
sha_32bit_words!(
    Sha256,
    8,
    sha2::block_api::compress256,
    [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
);

impl BlockHash for Sha384 {
    const BLOCK: usize = 128;
    const LENGTH_FIELD: usize = 16;
    const OUTPUT: usize = 48;
    type State = [u64; 8];
    // FIPS 180-4 5.3.4.
    const IV: [u64; 8] = [
        0xcbbb_9d5d_c105_9ed8,
        0x629a_292a_367c_d507,
        0x9159_015a_3070_dd17,
        0x152f_ecd8_f70e_5939,
        0x6733_2667_ffc0_0b31,
        0x8eb4_4a87_6858_1511,
        0xdb0c_2e0d_64f9_8fa7,
        0x47b5_481d_befa_4fa4,
    ];
    fn compress(state: &mut [u64; 8], blocks: &[u8]) {
        sha2::block_api::compress512(state, blocks.as_chunks::<128>().0);
    }
    // FIPS 180-4 5.1.2: the bit length, big-endian, in 128 bits.
    fn length_field(bytes: u64, out: &mut [u8]) {
        copy_into(out, &(u128::from(bytes) * 8).to_be_bytes());
    }
    // FIPS 180-4 6.5: the leftmost 384 bits.
    fn output(state: &[u64; 8], out: &mut [u8]) {
        for (o, w) in out.chunks_exact_mut(8).zip(state) {
            copy_into(o, &w.to_be_bytes());
        }
    }
    fn select(dst: &mut [u64; 8], src: &[u64; 8], mask: u64) {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = (*s & mask) | (*d & !mask);
        }
    }
}

/// Room for the bytes short of a whole block (and the padding's two
/// blocks at most).
const BATCH: usize = 2 * MAX_BLOCK;
/// The largest block (SHA-384's).
pub(super) const MAX_BLOCK: usize = 128;
/// The largest digest (SHA-384's).
pub(super) const MAX_OUTPUT: usize = 48;

/// A hash part-way through a message whose length so far is public: the
/// chaining state, the bytes past its last whole block, and the count.
pub(super) struct Running<H: BlockHash> {
    pub(super) state: H::State,
    buf: [u8; BATCH],
    buffered: usize,
    /// Bytes in `state`.
    pub(super) compressed: usize,
}

// By hand: a derive would ask for `H: Clone`; only the state is copied.
impl<H: BlockHash> Clone for Running<H> {
    fn clone(&self) -> Self {
        Self { state: self.state, buf: self.buf, buffered: self.buffered, compressed: self.compressed }
    }
}

impl<H: BlockHash> Running<H> {
    /// A hash that has taken `prefix` (a MAC key's pad, say).
    pub(super) fn new(prefix: &[&[u8]]) -> Self {
        let mut h = Self { state: H::IV, buf: [0; BATCH], buffered: 0, compressed: 0 };
        for p in prefix {
            h.feed(p);
        }
        h.compress_whole();
        h
    }

    /// Bytes taken but not compressed (less than a block after
    /// [`Self::compress_whole`]).
    pub(super) fn pending(&self) -> &[u8] {
        self.buf.get(..self.buffered).unwrap_or_default()
    }

    pub(super) fn len(&self) -> usize {
        self.compressed + self.buffered
    }

    pub(super) fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.buffered == 0 && data.len() >= H::BLOCK {
                // Whole blocks straight from the input: a block is a byte
                // array, so any offset will do and no copy is needed.
                let whole = data.len() / H::BLOCK * H::BLOCK;
                let (blocks, rest) = data.split_at(whole);
                H::compress(&mut self.state, blocks);
                self.compressed += whole;
                data = rest;
                continue;
            }
            // Up to the next block boundary only, then compress.
            let room = self.buf.get_mut(self.buffered..).unwrap_or_default();
            let take = room.len().min(H::BLOCK - self.buffered % H::BLOCK).min(data.len());
            let (now, rest) = data.split_at(take);
            if let Some(dst) = room.get_mut(..take) {
                copy_into(dst, now);
            }
            self.buffered += take;
            data = rest;
            if self.buffered.is_multiple_of(H::BLOCK) {
                self.compress_whole();
            }
        }
    }

    /// Compresses every whole block buffered; keeps the rest.
    pub(super) fn compress_whole(&mut self) {
        let whole = self.buffered / H::BLOCK * H::BLOCK;
        H::compress(&mut self.state, self.buf.get(..whole).unwrap_or_default());
        self.buf.copy_within(whole..self.buffered, 0);
        self.compressed += whole;
        self.buffered -= whole;
    }

    /// The digest of everything taken, with the padding of a message of
    /// this (public) length; the output is the first `H::OUTPUT` bytes.
    pub(super) fn finish(mut self) -> [u8; MAX_OUTPUT] {
        let len = self.len() as u64;
        let zeros = (H::BLOCK - (self.len() + 1 + H::LENGTH_FIELD) % H::BLOCK) % H::BLOCK;
        let mut tail = [0u8; 2 * MAX_BLOCK];
        if let Some(t) = tail.first_mut() {
            *t = 0x80;
        }
        let field_at = 1 + zeros;
        if let Some(field) = tail.get_mut(field_at..field_at + H::LENGTH_FIELD) {
            H::length_field(len, field);
        }
        self.feed(tail.get(..field_at + H::LENGTH_FIELD).unwrap_or_default());
        self.compress_whole();
        let mut out = [0u8; MAX_OUTPUT];
        H::output(&self.state, out.get_mut(..H::OUTPUT).unwrap_or_default());
        out
    }
}

#[cfg(test)]
mod tests {
    use sha1::Digest;

    use super::*;

    fn ours<H: BlockHash>(parts: &[&[u8]]) -> Vec<u8> {
        Running::<H>::new(&[]).tap_feed(parts).finish().get(..H::OUTPUT).unwrap().to_vec()
    }

    impl<H: BlockHash> Running<H> {
        fn tap_feed(mut self, parts: &[&[u8]]) -> Self {
            for p in parts {
                self.feed(p);
            }
            self
        }
    }

    /// Every length around the block, batch and length-field boundaries,
    /// fed whole and in two parts (and with a prefix compressed first),
    /// against each crate's own `Digest`.
    #[test]
    fn every_hash_matches_its_crate_at_every_boundary() {
        let msg: Vec<u8> = (0..2300u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in (0..300).chain(1000..1100).chain(2040..2300) {
            let m = &msg[..n];
            let (a, b) = m.split_at(n / 3);
            assert_eq!(ours::<Md5>(&[m]), md5::Md5::digest(m).to_vec(), "md5 {n}");
            assert_eq!(ours::<Sha1>(&[a, b]), sha1::Sha1::digest(m).to_vec(), "sha1 {n}");
            assert_eq!(ours::<Sha256>(&[a, b]), sha2::Sha256::digest(m).to_vec(), "sha256 {n}");
            assert_eq!(ours::<Sha384>(&[m]), sha2::Sha384::digest(m).to_vec(), "sha384 {n}");
            let prefixed = Running::<Sha1>::new(&[a]).tap_feed(&[b]).finish();
            assert_eq!(&prefixed[..20], sha1::Sha1::digest(m).as_slice(), "prefix {n}");
        }
    }

    #[test]
    fn select_takes_the_source_only_under_an_all_ones_mask() {
        let mut d = Sha384::IV;
        Sha384::select(&mut d, &[7; 8], 0);
        assert_eq!(d, Sha384::IV);
        Sha384::select(&mut d, &[7; 8], u64::MAX);
        assert_eq!(d, [7; 8]);
        let mut d = Sha1::IV;
        Sha1::select(&mut d, &[9; 5], u64::MAX);
        assert_eq!(d, [9; 5]);
    }
}
