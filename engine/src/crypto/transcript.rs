//! The handshake transcript: every handshake message's raw bytes, in order
//! (RFC 5246 7.4.9: "all of the data from all messages in this handshake
//! (not including any HelloRequest messages) up to, but not including, this
//! message"; record headers excluded, handshake headers included).
//!
//! The digests a connection needs run as the messages arrive, so a Finished
//! or CertificateVerify costs one finalisation of a copy, never a hash of
//! the whole transcript (libssl's `ssl3_digest_cached_records` does the
//! same). Which digests are needed is known only once ServerHello fixes
//! the version and suite (the TLS 1.2 PRF hash), or a CertificateRequest
//! the signature hash (RFC 5246 7.4.8): until then the bytes are buffered,
//! and a digest started later catches up on them once. The bytes are kept
//! for a digest nobody started, which is then computed whole and counted
//! ([`Transcript::whole_hashes`]) so tests can show it does not happen.

use std::cell::Cell;

use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};

use super::prf::PrfAlgorithm;
use crate::msgs::enums::HashAlgorithm;

#[derive(Debug, Clone, Default)]
pub struct Transcript {
    buf: Vec<u8>,
    running: Running,
    /// Digests computed over the whole buffer because none was running.
    whole: Cell<usize>,
}

/// Equal transcripts hold equal bytes; which digests run is a cache.
impl PartialEq for Transcript {
    fn eq(&self, other: &Self) -> bool {
        self.buf == other.buf
    }
}

impl Eq for Transcript {}

/// One running digest per hash a connection can need.
#[derive(Debug, Clone, Default)]
struct Running {
    md5: Option<Md5>,
    sha1: Option<Sha1>,
    sha224: Option<Sha224>,
    sha256: Option<Sha256>,
    sha384: Option<Sha384>,
    sha512: Option<Sha512>,
}

impl Running {
    fn update(&mut self, data: &[u8]) {
        // Each digest present is fed the same bytes.
        if let Some(h) = &mut self.md5 {
            h.update(data)
        }
        if let Some(h) = &mut self.sha1 {
            h.update(data)
        }
        if let Some(h) = &mut self.sha224 {
            h.update(data)
        }
        if let Some(h) = &mut self.sha256 {
            h.update(data)
        }
        if let Some(h) = &mut self.sha384 {
            h.update(data)
        }
        if let Some(h) = &mut self.sha512 {
            h.update(data)
        }
    }

    /// Starts `hash` over `so_far` unless it runs already; none and
    /// unassigned values are no hash and start nothing.
    fn start(&mut self, hash: HashAlgorithm, so_far: &[u8]) {
        fn begin<D: Digest>(slot: &mut Option<D>, so_far: &[u8]) {
            if slot.is_none() {
                *slot = Some(D::new_with_prefix(so_far));
            }
        }
        match hash {
            HashAlgorithm::Md5 => begin(&mut self.md5, so_far),
            HashAlgorithm::Sha1 => begin(&mut self.sha1, so_far),
            HashAlgorithm::Sha224 => begin(&mut self.sha224, so_far),
            HashAlgorithm::Sha256 => begin(&mut self.sha256, so_far),
            HashAlgorithm::Sha384 => begin(&mut self.sha384, so_far),
            HashAlgorithm::Sha512 => begin(&mut self.sha512, so_far),
            HashAlgorithm::None | HashAlgorithm::Unknown(_) => {}
        }
    }

    fn digest(&self, hash: HashAlgorithm) -> Option<Vec<u8>> {
        fn finish<D: Digest + Clone>(slot: &Option<D>) -> Option<Vec<u8>> {
            slot.as_ref().map(|d| d.clone().finalize().to_vec())
        }
        match hash {
            HashAlgorithm::Md5 => finish(&self.md5),
            HashAlgorithm::Sha1 => finish(&self.sha1),
            HashAlgorithm::Sha224 => finish(&self.sha224),
            HashAlgorithm::Sha256 => finish(&self.sha256),
            HashAlgorithm::Sha384 => finish(&self.sha384),
            HashAlgorithm::Sha512 => finish(&self.sha512),
            HashAlgorithm::None | HashAlgorithm::Unknown(_) => None,
        }
    }

    fn running(&self) -> Vec<HashAlgorithm> {
        let slots = [
            (HashAlgorithm::Md5, self.md5.is_some()),
            (HashAlgorithm::Sha1, self.sha1.is_some()),
            (HashAlgorithm::Sha224, self.sha224.is_some()),
            (HashAlgorithm::Sha256, self.sha256.is_some()),
            (HashAlgorithm::Sha384, self.sha384.is_some()),
            (HashAlgorithm::Sha512, self.sha512.is_some()),
        ];
        slots.into_iter().filter(|(_, on)| *on).map(|(h, _)| h).collect()
    }
}

/// The digests the handshake hash of `alg` is made of: MD5 and SHA-1 for
/// SSL 3.0 and TLS 1.0/1.1 (RFC 2246 7.4.9; SSL 3.0's Finished and
/// CertificateVerify, RFC 6101 5.6.8-9, continue the same two), the PRF
/// hash for TLS 1.2 (RFC 5246 7.4.9).
pub fn prf_hashes(alg: PrfAlgorithm) -> &'static [HashAlgorithm] {
    match alg {
        PrfAlgorithm::Ssl3 | PrfAlgorithm::Tls10 => &[HashAlgorithm::Md5, HashAlgorithm::Sha1],
        PrfAlgorithm::Sha256 => &[HashAlgorithm::Sha256],
        PrfAlgorithm::Sha384 => &[HashAlgorithm::Sha384],
    }
}

impl Transcript {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one handshake message, header included. The caller leaves
    /// out HelloRequest (RFC 5246 7.4.1.1) and ChangeCipherSpec (not a
    /// handshake message).
    pub fn add(&mut self, raw: &[u8]) {
        self.buf.extend_from_slice(raw);
        self.running.update(raw);
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// From now on `hashes` run as messages arrive; each catches up on the
    /// messages so far once. Hashes nothing here signs with are ignored.
    pub fn run_hashes(&mut self, hashes: impl IntoIterator<Item = HashAlgorithm>) {
        for h in hashes {
            self.running.start(h, &self.buf);
        }
    }

    /// [`Self::run_hashes`] for the handshake hash of `alg`.
    pub fn run_prf_hashes(&mut self, alg: PrfAlgorithm) {
        self.run_hashes(prf_hashes(alg).iter().copied());
    }

    /// The hashes running now, in [`HashAlgorithm`] order.
    pub fn running_hashes(&self) -> Vec<HashAlgorithm> {
        self.running.running()
    }

    /// How many digests were computed over the whole transcript because
    /// none was running: zero in a handshake that started the right ones.
    pub fn whole_hashes(&self) -> usize {
        self.whole.get()
    }

    /// The digest of the transcript so far under `hash`, or `None` for
    /// none and unassigned values.
    pub fn digest(&self, hash: HashAlgorithm) -> Option<Vec<u8>> {
        if let Some(d) = self.running.digest(hash) {
            return Some(d);
        }
        let d = hash_bytes(hash, &self.buf)?;
        self.whole.set(self.whole.get() + 1);
        Some(d)
    }

    /// MD5 and SHA-1 states over the transcript so far, for SSL 3.0's
    /// Finished and CertificateVerify, which go on hashing after it
    /// (RFC 6101 5.6.8, 5.6.9).
    pub(crate) fn md5_sha1_states(&self) -> (Md5, Sha1) {
        match (&self.running.md5, &self.running.sha1) {
            (Some(md5), Some(sha1)) => (md5.clone(), sha1.clone()),
            _ => {
                self.whole.set(self.whole.get() + 1);
                (Md5::new_with_prefix(&self.buf), Sha1::new_with_prefix(&self.buf))
            }
        }
    }

    /// The handshake hash the PRF of `alg` uses: MD5 || SHA-1 (36 bytes)
    /// for SSL 3.0 and TLS 1.0/1.1 (RFC 2246 7.4.9), the PRF hash for
    /// TLS 1.2 (RFC 5246 7.4.9). SSL 3.0's Finished does not use this
    /// directly (RFC 6101 5.6.9 mixes the master secret in); the extended
    /// master secret's session_hash does (RFC 7627 3).
    pub fn handshake_hash(&self, alg: PrfAlgorithm) -> Vec<u8> {
        prf_hashes(alg).iter().filter_map(|h| self.digest(*h)).flatten().collect()
    }
}

/// A transcript of `bytes` whose handshake hash for `alg` runs: what a
/// connection holds by its Finished (for benches and tests).
pub fn running_transcript(alg: PrfAlgorithm, bytes: &[u8]) -> Transcript {
    let mut t = Transcript::new();
    t.run_prf_hashes(alg);
    t.add(bytes);
    t
}

/// MD5(data) || SHA-1(data) (RFC 2246 7.4.8, 7.4.9).
pub fn md5_sha1(data: &[u8]) -> [u8; 36] {
    let mut out = [0u8; 36];
    let md5 = Md5::digest(data);
    let sha = Sha1::digest(data);
    for (o, b) in out.iter_mut().zip(md5.iter().chain(sha.iter())) {
        *o = *b;
    }
    out
}

/// The digest of `data` under a TLS 1.2 HashAlgorithm (RFC 5246 7.4.1.4.1),
/// or `None` for none and unassigned values.
pub fn hash_bytes(hash: HashAlgorithm, data: &[u8]) -> Option<Vec<u8>> {
    Some(match hash {
        HashAlgorithm::Md5 => Md5::digest(data).to_vec(),
        HashAlgorithm::Sha1 => Sha1::digest(data).to_vec(),
        HashAlgorithm::Sha224 => Sha224::digest(data).to_vec(),
        HashAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
        HashAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
        HashAlgorithm::Sha512 => Sha512::digest(data).to_vec(),
        HashAlgorithm::None | HashAlgorithm::Unknown(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_messages_in_order() {
        let mut t = Transcript::new();
        t.add(&[1, 0, 0, 1, 0xaa]);
        t.add(&[2, 0, 0, 0]);
        assert_eq!(t.bytes(), [1, 0, 0, 1, 0xaa, 2, 0, 0, 0]);
    }

    #[test]
    fn hash_lengths_follow_the_prf() {
        let mut t = Transcript::new();
        t.add(b"abc");
        assert_eq!(t.handshake_hash(PrfAlgorithm::Ssl3).len(), 36);
        assert_eq!(t.handshake_hash(PrfAlgorithm::Tls10).len(), 36);
        assert_eq!(t.handshake_hash(PrfAlgorithm::Sha256).len(), 32);
        assert_eq!(t.handshake_hash(PrfAlgorithm::Sha384).len(), 48);
        // FIPS 180-2 B.1: SHA-256("abc").
        assert_eq!(
            hex::encode(t.handshake_hash(PrfAlgorithm::Sha256)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// A digest started at any point (catching up on the bytes so far)
    /// and fed the rest message by message equals the digest of the
    /// whole, for every hash; none is computed whole.
    #[test]
    fn running_digests_equal_whole_ones_wherever_they_start() {
        use HashAlgorithm as H;
        let messages: Vec<Vec<u8>> = (0u8..7).map(|i| vec![i; 13 + 61 * usize::from(i)]).collect();
        let all: Vec<u8> = messages.concat();
        for hash in [H::Md5, H::Sha1, H::Sha224, H::Sha256, H::Sha384, H::Sha512] {
            for start in 0..=messages.len() {
                let mut t = Transcript::new();
                for (i, m) in messages.iter().enumerate() {
                    if i == start {
                        t.run_hashes([hash]);
                    }
                    t.add(m);
                }
                if start == messages.len() {
                    t.run_hashes([hash]);
                }
                assert_eq!(t.running_hashes(), [hash]);
                assert_eq!(t.digest(hash), hash_bytes(hash, &all), "{hash:?} from message {start}");
                assert_eq!(t.whole_hashes(), 0, "{hash:?}");
                // Taking a digest leaves the running one as it was.
                t.add(b"more");
                assert_eq!(t.digest(hash), hash_bytes(hash, &[all.as_slice(), b"more"].concat()));
            }
        }
    }

    /// A digest nobody started is still right, computed whole, and counted.
    #[test]
    fn a_digest_not_running_is_computed_whole_and_counted() {
        let mut t = Transcript::new();
        t.run_prf_hashes(PrfAlgorithm::Sha256);
        t.add(b"abc");
        assert_eq!(t.handshake_hash(PrfAlgorithm::Sha256), Sha256::digest(b"abc").to_vec());
        assert_eq!(t.whole_hashes(), 0);
        assert_eq!(t.handshake_hash(PrfAlgorithm::Sha384), Sha384::digest(b"abc").to_vec());
        assert_eq!(t.whole_hashes(), 1);
        assert_eq!(t.handshake_hash(PrfAlgorithm::Tls10), md5_sha1(b"abc").to_vec());
        assert_eq!(t.whole_hashes(), 3, "MD5 and SHA-1, each whole");
        let (md5, sha1) = t.md5_sha1_states();
        assert_eq!(t.whole_hashes(), 4);
        assert_eq!([md5.finalize().to_vec(), sha1.finalize().to_vec()].concat(), md5_sha1(b"abc").to_vec());
    }

    /// The running SSL 3.0 states are the transcript's MD5 and SHA-1, to be
    /// continued by the caller.
    #[test]
    fn ssl3_states_continue_the_transcript() {
        let mut t = Transcript::new();
        t.add(b"client hello");
        t.run_prf_hashes(PrfAlgorithm::Ssl3);
        t.add(b"server hello");
        assert_eq!(t.running_hashes(), [HashAlgorithm::Md5, HashAlgorithm::Sha1]);
        let (md5, sha1) = t.md5_sha1_states();
        assert_eq!(t.whole_hashes(), 0);
        assert_eq!(md5.chain_update(b"CLNT").finalize(), Md5::digest(b"client helloserver helloCLNT"));
        assert_eq!(sha1.chain_update(b"CLNT").finalize(), Sha1::digest(b"client helloserver helloCLNT"));
    }

    #[test]
    fn unknown_hashes_have_no_digest() {
        assert!(hash_bytes(HashAlgorithm::None, b"").is_none());
        assert!(hash_bytes(HashAlgorithm::Unknown(9), b"").is_none());
        assert_eq!(hash_bytes(HashAlgorithm::Sha512, b"").map(|d| d.len()), Some(64));
    }
}
