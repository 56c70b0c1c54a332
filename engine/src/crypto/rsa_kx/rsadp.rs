//! RSADP (RFC 8017 5.1.2) for the RustCrypto provider: the raw private
//! operation, whose k-byte block [`super::premaster_from_block`] then
//! judges without a branch, as the OpenSSL provider's block is judged.
//!
//! Why not the rsa crate's `pkcs1v15_decrypt_with_rng`: on top of base
//! blinding it blinds the CRT exponents and moduli with fresh random
//! factors, which costs about as much as the exponentiation itself and
//! makes one decryption's time vary by tens of microseconds from call to
//! call. That spread is independent per connection, so it is the noise
//! floor of every timing measurement of `shakedown serve` (issue 14). Here
//! the exponentiation is still the crate's constant-time CRT
//! (`rsa::hazmat::rsa_decrypt`, crypto-bigint), behind base blinding as
//! OpenSSL and BoringSSL blind (RSA_blinding_on; Kocher 1996): a pair
//! squared from call to call and drawn afresh every [`BLINDING_USES`]
//! calls. Then a check of the result against the blinded input so a
//! CRT fault cannot leak a factor (Boneh, DeMillo, Lipton 1997).

use crypto_bigint::modular::BoxedMontyForm;
use rsa::BoxedUint;
use rsa::hazmat::{rsa_decrypt, rsa_encrypt};
use rsa::traits::PublicKeyParts;
use std::sync::Mutex;
use zeroize::{Zeroize, Zeroizing};

use super::{Blinding, RsaPrivateKey};
use crate::crypto::RandomSource;

/// Private operations per blinding factor before a fresh one is drawn;
/// in between, the pair is squared (OpenSSL's BN_BLINDING_COUNTER).
pub(super) const BLINDING_USES: u32 = 32;

/// A key's current blinding pair `(r^e, r^-1)` mod n, in Montgomery form,
/// and how often it has been used. Shared by every connection on the key.
#[derive(Default)]
struct BlindingState {
    pair: Option<(BoxedMontyForm, BoxedMontyForm)>,
    uses: u32,
}

impl Drop for BlindingState {
    fn drop(&mut self) {
        if let Some((r_e, r_inv)) = &mut self.pair {
            r_e.zeroize();
            r_inv.zeroize();
        }
    }
}

/// The k-byte block `ciphertext^d mod n`, or `None` for a ciphertext of the
/// wrong length or not below n. Both are public (the peer chose the
/// ciphertext), so those branches tell the peer nothing it does not know;
/// the block's content is never branched on.
pub fn rsadp(
    key: &RsaPrivateKey,
    ciphertext: &[u8],
    rng: &mut dyn RandomSource,
) -> Option<Zeroizing<Vec<u8>>> {
    let (r_e, r_inv) = blinding_factors(key, rng)?;
    let key = key.as_rustcrypto();
    let k = key.size();
    if ciphertext.len() != k {
        return None;
    }
    let n = key.n();
    let c = BoxedUint::from_be_slice(ciphertext, key.n_bits_precision()).ok()?;
    if c >= **n {
        return None;
    }
    let params = key.n_params();
    let blinded = (BoxedMontyForm::new(c, params) * &r_e).retrieve();
    let m_blinded = Zeroizing::new(rsa_decrypt::<Blinding<'_>>(None, key, &blinded).ok()?);
    // The check sees only blinded values, so comparing them in variable
    // time tells nothing about `c`.
    if rsa_encrypt(key, &m_blinded).ok()? != blinded {
        return None;
    }
    let m_form = Zeroizing::new(BoxedMontyForm::new(BoxedUint::clone(&m_blinded), params) * &*r_inv);
    let m = Zeroizing::new(m_form.retrieve());
    let bytes = Zeroizing::new(m.to_be_bytes());
    let first = bytes.len().checked_sub(k)?;
    Some(Zeroizing::new(bytes.get(first..)?.to_vec()))
}

/// The next blinding pair `(r^e, r^-1)` mod n. Inverting a fresh `r`
/// costs about a quarter of the exponentiation, so as OpenSSL does
/// (`BN_BLINDING_update`) a pair is squared from one call to the next and
/// replaced by a fresh one every [`BLINDING_USES`] calls. `r` is drawn
/// from one byte fewer than n has, so no draw is rejected for size; the
/// bytes are drawn on every call, used or not, so a connection consumes
/// the same randomness whatever other connections did to the shared pair
/// (a seeded run sends identical bytes).
fn blinding_factors(
    key: &RsaPrivateKey,
    rng: &mut dyn RandomSource,
) -> Option<(BoxedMontyForm, Zeroizing<BoxedMontyForm>)> {
    let rustcrypto = key.as_rustcrypto();
    let params = rustcrypto.n_params();
    let mut bytes = Zeroizing::new(vec![0u8; rustcrypto.size()]);
    rng.fill(bytes.get_mut(1..)?);
    let state = key.backend_form(|_| Some(Mutex::new(BlindingState::default())))?;
    let mut state = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // The old pair is wiped as it is replaced, squared or not.
    let old = state.pair.take().map(|(r_e, r_inv)| (Zeroizing::new(r_e), Zeroizing::new(r_inv)));
    let next = match old {
        Some((r_e, r_inv)) if state.uses < BLINDING_USES => (r_e.square(), r_inv.square()),
        _ => {
            state.uses = 0;
            let r = Zeroizing::new(BoxedUint::from_be_slice(&bytes, rustcrypto.n_bits_precision()).ok()?);
            let r_form = Zeroizing::new(BoxedMontyForm::new(BoxedUint::clone(&r), params));
            let r_inv = Option::<BoxedMontyForm>::from(r_form.invert())?;
            (BoxedMontyForm::new(rsa_encrypt(rustcrypto, &r).ok()?, params), r_inv)
        }
    };
    state.uses += 1;
    state.pair = Some(next.clone());
    Some((next.0, Zeroizing::new(next.1)))
}
