//! RustCrypto with its RSA operations remembered, for fuzzing campaigns in
//! memory. An RSA-2048 private operation costs about a millisecond in pure
//! Rust and is 88% of an in-memory fuzz case's time (perf, `shakedown fuzz
//! --peer builtin`), while a campaign decrypts the same few
//! ClientKeyExchanges and signs the same few transcripts again and again.
//! The results are exact (RSA is a function of its input); what changes is
//! that blinding draws on a generator derived from the input instead of the
//! connection's, so a cache hit and a miss consume the connection's
//! randomness alike and a seeded campaign still sends identical bytes.
//!
//! The cache holds premasters in memory for the life of the provider:
//! never use it to talk to anyone real.
//!
//! [`Memoized::over`] remembers another provider's RSA the same way (the
//! OpenSSL provider's RSA is faster, but a campaign still repeats it):
//! its decryption is asked with a fixed fallback, which tells a decrypted
//! premaster from the countermeasure's random one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::provider::{CryptoProvider, RustCrypto};
use super::rsa_kx::{self, PREMASTER_LEN, Pkcs1Tweak, RsaError, RsaPrivateKey, RsaPublicKey, SignatureHash};
use super::{RandomSource, SeededRandom};
use crate::msgs::enums::ProtocolVersion;

/// Results kept per operation before the table starts over: enough for
/// every (version, suite, connection seed) a campaign cycles through, and
/// a bound on memory (about 4 MiB at 256 bytes a result).
pub const MEMO_ENTRIES: usize = 16_384;

/// What an input is remembered under: the operation, the key's modulus and
/// the input, hashed.
type MemoKey = [u8; 32];

#[derive(Debug, Clone, Copy)]
enum Op {
    Encrypt = 0,
    Decrypt = 1,
    Sign = 2,
    Verify = 3,
}

/// One operation's remembered results, bounded by [`MEMO_ENTRIES`].
#[derive(Debug, Default)]
struct Table<V> {
    entries: HashMap<MemoKey, V>,
    hits: u64,
    misses: u64,
}

impl<V: Clone> Table<V> {
    fn get(&mut self, key: &MemoKey) -> Option<V> {
        let found = self.entries.get(key).cloned();
        match found {
            Some(_) => self.hits += 1,
            None => self.misses += 1,
        }
        found
    }

    fn put(&mut self, key: MemoKey, value: V) {
        if self.entries.len() >= MEMO_ENTRIES {
            // Starting over is simpler than an eviction order and, at a
            // campaign's hit rates, costs one miss per entry.
            self.entries.clear();
        }
        self.entries.insert(key, value);
    }
}

/// [`RustCrypto`] with RSA decryptions, signatures and verifications
/// remembered; shared by the threads of a campaign.
#[derive(Debug, Default)]
pub struct Memoized {
    /// The provider whose RSA is remembered; `None` is RustCrypto, whose
    /// primitives are called directly.
    inner: Option<Arc<dyn CryptoProvider>>,
    encryptions: Mutex<Table<Vec<u8>>>,
    decryptions: Mutex<Table<Vec<u8>>>,
    signatures: Mutex<Table<Vec<u8>>>,
    verifications: Mutex<Table<()>>,
}

/// Hits and misses so far, per operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoStats {
    pub encrypt_hits: u64,
    pub encrypt_misses: u64,
    pub decrypt_hits: u64,
    pub decrypt_misses: u64,
    pub sign_hits: u64,
    pub sign_misses: u64,
    pub verify_hits: u64,
    pub verify_misses: u64,
}

fn memo_key(op: Op, modulus: &[u8], parts: &[&[u8]]) -> MemoKey {
    let mut h = Sha256::new();
    h.update([op as u8]);
    h.update((modulus.len() as u64).to_be_bytes());
    h.update(modulus);
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// The blinding generator for an input: derived from its key, so the same
/// input is blinded the same way whether or not it was remembered.
fn blinding_for(key: &MemoKey) -> SeededRandom {
    let mut seed = [0u8; 8];
    seed.copy_from_slice(key.get(..8).unwrap_or(&[0; 8]));
    SeededRandom::from_seed(u64::from_be_bytes(seed))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere cannot leave a table half-written (insert is one
    // call), so a poisoned lock is still safe to use.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Memoized {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// `provider` with its RSA decryptions, signatures and verifications
    /// remembered (RustCrypto itself takes [`Memoized::new`]'s path).
    pub fn over(provider: Arc<dyn CryptoProvider>) -> Arc<Self> {
        let inner = (provider.name() != RustCrypto.name()).then_some(provider);
        Arc::new(Self { inner, ..Self::default() })
    }

    /// The provider's PKCS#1 decryption of a premaster, as
    /// [`rsa_kx::pkcs1_decrypt`] gives it: the 48-byte message (its first
    /// two bytes are the client_version the countermeasure puts back), or
    /// nothing. The provider's countermeasure is asked with fallback bytes
    /// of 00 and then, only when the message's tail is all 00, of ff: a
    /// decrypted premaster is the same both times, the fallback is not.
    fn provider_decrypt(
        inner: &dyn CryptoProvider,
        key: &RsaPrivateKey,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
    ) -> Vec<u8> {
        let with = |fill| {
            let mut rng = Fallback { fill, left: PREMASTER_LEN - 2, then: SeededRandom::from_seed(0) };
            inner.decrypt_premaster(key, ciphertext, client_version, &mut rng)
        };
        let first = with(0x00);
        let decrypted = first.iter().skip(2).any(|b| *b != 0) || with(0xff) == first;
        match decrypted {
            true => first.to_vec(),
            false => Vec::new(),
        }
    }

    pub fn stats(&self) -> MemoStats {
        let e = lock(&self.encryptions);
        let (d, s, v) = (lock(&self.decryptions), lock(&self.signatures), lock(&self.verifications));
        MemoStats {
            encrypt_hits: e.hits,
            encrypt_misses: e.misses,
            decrypt_hits: d.hits,
            decrypt_misses: d.misses,
            sign_hits: s.hits,
            sign_misses: s.misses,
            verify_hits: v.hits,
            verify_misses: v.misses,
        }
    }
}

impl super::wrapping::Wrapping for Memoized {
    /// Records and Finished go to the provider underneath as they are.
    fn inner(&self) -> &dyn CryptoProvider {
        match &self.inner {
            None => &RustCrypto,
            Some(p) => p.as_ref(),
        }
    }

    fn name(&self) -> &'static str {
        match &self.inner {
            None => "rustcrypto-memoized",
            Some(_) => "memoized",
        }
    }

    fn encrypt_premaster(
        &self,
        key: &RsaPublicKey,
        premaster: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &Pkcs1Tweak,
    ) -> Result<Vec<u8>, RsaError> {
        // A public operation is cheap in a native provider.
        if let Some(p) = &self.inner {
            return p.encrypt_premaster(key, premaster, rng, tweak);
        }
        // The padding comes from `rng` as always; the public operation on
        // the finished block is what is remembered.
        let block = rsa_kx::encryption_block(key, premaster, rng, tweak)?;
        let k = memo_key(Op::Encrypt, key.modulus(), &[&block]);
        if let Some(c) = lock(&self.encryptions).get(&k) {
            return Ok(c);
        }
        let c = rsa_kx::raw_public(key, &block)?;
        lock(&self.encryptions).put(k, c.clone());
        Ok(c)
    }

    /// RFC 5246 7.4.7.1 as [`rsa_kx::decrypt_premaster`] does it: the
    /// random fallback is drawn from the connection first, then the
    /// (remembered) decryption, then the constant-time choice.
    fn decrypt_premaster(
        &self,
        key: &RsaPrivateKey,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        rng: &mut dyn RandomSource,
    ) -> [u8; PREMASTER_LEN] {
        let mut random = [0u8; PREMASTER_LEN - 2];
        rng.fill(&mut random);
        let k = memo_key(Op::Decrypt, key.as_public_key().modulus(), &[ciphertext]);
        let remembered = lock(&self.decryptions).get(&k);
        let decrypted = remembered.unwrap_or_else(|| {
            let d = match &self.inner {
                None => rsa_kx::pkcs1_decrypt(key, ciphertext, &mut blinding_for(&k)),
                Some(p) => Self::provider_decrypt(p.as_ref(), key, ciphertext, client_version),
            };
            lock(&self.decryptions).put(k, d.clone());
            d
        });
        rsa_kx::countermeasure(client_version, &random, &decrypted)
    }

    fn sign(
        &self,
        key: &RsaPrivateKey,
        hash: SignatureHash,
        digest: &[u8],
        _rng: &mut dyn RandomSource,
    ) -> Result<Vec<u8>, RsaError> {
        let k = memo_key(Op::Sign, key.as_public_key().modulus(), &[&[hash as u8], digest]);
        if let Some(sig) = lock(&self.signatures).get(&k) {
            return Ok(sig);
        }
        let sig = match &self.inner {
            None => rsa_kx::sign(key, hash, digest, &mut blinding_for(&k))?,
            Some(p) => p.sign(key, hash, digest, &mut blinding_for(&k))?,
        };
        lock(&self.signatures).put(k, sig.clone());
        Ok(sig)
    }

    fn verify(
        &self,
        key: &RsaPublicKey,
        hash: SignatureHash,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), RsaError> {
        // Only successes are remembered, so a failure keeps its own reason.
        let k = memo_key(Op::Verify, key.modulus(), &[&[hash as u8], digest, signature]);
        if lock(&self.verifications).get(&k).is_some() {
            return Ok(());
        }
        match &self.inner {
            None => rsa_kx::verify(key, hash, digest, signature)?,
            Some(p) => p.verify(key, hash, digest, signature)?,
        }
        lock(&self.verifications).put(k, ());
        Ok(())
    }
}

/// The randomness of [`Memoized::provider_decrypt`]: the fallback the
/// countermeasure draws first (RFC 5246 7.4.7.1) is one byte repeated,
/// what follows (the provider's blinding, which must not be constant: a
/// blinding factor of zero is drawn again forever) is seeded.
#[derive(Debug)]
struct Fallback {
    fill: u8,
    left: usize,
    then: SeededRandom,
}

impl RandomSource for Fallback {
    fn fill(&mut self, dest: &mut [u8]) {
        let fixed = dest.len().min(self.left);
        let (head, tail) = dest.split_at_mut(fixed);
        head.fill(self.fill);
        self.left -= fixed;
        self.then.fill(tail);
    }
}

#[cfg(test)]
mod tests;
