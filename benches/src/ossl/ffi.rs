//! The two OpenSSL 3 interfaces the `openssl` crate does not wrap:
//! EVP_KDF "TLS1-PRF" and a keyed EVP_MAC "HMAC" that is re-initialised per
//! record without re-keying. The only unsafe code of the workspace; it is
//! built only with the `openssl` feature and never linked into the engine.
#![allow(unsafe_code)]

use std::ffi::{CStr, c_char, c_int, c_uint, c_void};
use std::ptr;

use openssl_sys::{EVP_KDF, EVP_KDF_CTX, EVP_MAC, EVP_MAC_CTX, OSSL_PARAM};

// OSSL_PARAM data types (openssl/core.h).
const OSSL_PARAM_UTF8_STRING: c_uint = 4;
const OSSL_PARAM_OCTET_STRING: c_uint = 5;
// OSSL_PARAM_UNMODIFIED (openssl/params.h): the sentinel for return_size.
const UNMODIFIED: usize = usize::MAX;

unsafe extern "C" {
    fn EVP_KDF_fetch(ctx: *mut c_void, algorithm: *const c_char, properties: *const c_char) -> *mut EVP_KDF;
    fn EVP_KDF_free(kdf: *mut EVP_KDF);
    fn EVP_KDF_CTX_new(kdf: *mut EVP_KDF) -> *mut EVP_KDF_CTX;
    fn EVP_KDF_CTX_free(ctx: *mut EVP_KDF_CTX);
    fn EVP_KDF_derive(ctx: *mut EVP_KDF_CTX, key: *mut u8, keylen: usize, params: *const OSSL_PARAM)
    -> c_int;
    fn EVP_MAC_fetch(ctx: *mut c_void, algorithm: *const c_char, properties: *const c_char) -> *mut EVP_MAC;
    fn EVP_MAC_free(mac: *mut EVP_MAC);
    fn EVP_MAC_CTX_new(mac: *mut EVP_MAC) -> *mut EVP_MAC_CTX;
    fn EVP_MAC_CTX_free(ctx: *mut EVP_MAC_CTX);
    fn EVP_MAC_init(ctx: *mut EVP_MAC_CTX, key: *const u8, keylen: usize, params: *const OSSL_PARAM)
    -> c_int;
    fn EVP_MAC_update(ctx: *mut EVP_MAC_CTX, data: *const u8, datalen: usize) -> c_int;
    fn EVP_MAC_final(ctx: *mut EVP_MAC_CTX, out: *mut u8, outl: *mut usize, outsize: usize) -> c_int;
}

fn param(key: &'static CStr, data_type: c_uint, data: *const u8, len: usize) -> OSSL_PARAM {
    OSSL_PARAM {
        key: key.as_ptr(),
        data_type,
        data: data as *mut c_void,
        data_size: len,
        return_size: UNMODIFIED,
    }
}

fn utf8(key: &'static CStr, value: &'static CStr) -> OSSL_PARAM {
    param(key, OSSL_PARAM_UTF8_STRING, value.as_ptr().cast(), value.to_bytes().len())
}

fn octets(key: &'static CStr, value: &[u8]) -> OSSL_PARAM {
    param(key, OSSL_PARAM_OCTET_STRING, value.as_ptr(), value.len())
}

fn end() -> OSSL_PARAM {
    OSSL_PARAM { key: ptr::null(), data_type: 0, data: ptr::null_mut(), data_size: 0, return_size: 0 }
}

/// EVP_KDF "TLS1-PRF", fetched once. Each [`Tls1Prf::derive`] does what
/// libssl's tls1_PRF does per call (ssl/t1_enc.c): a new EVP_KDF_CTX, the
/// digest, secret, label and seed as parameters, one derive, free. libssl
/// also fetches the KDF on every call; this skips that, in OpenSSL's favour.
#[derive(Debug)]
pub struct Tls1Prf {
    kdf: *mut EVP_KDF,
    digest: &'static CStr,
}

impl Tls1Prf {
    /// `digest` is "MD5-SHA1" for TLS 1.0/1.1 (OpenSSL's name for the split
    /// P_MD5 xor P_SHA1), or "SHA256" / "SHA384" for TLS 1.2.
    pub fn new(digest: &'static CStr) -> Self {
        // SAFETY: valid NUL-terminated strings; a null result is checked.
        let kdf = unsafe { EVP_KDF_fetch(ptr::null_mut(), c"TLS1-PRF".as_ptr(), ptr::null()) };
        assert!(!kdf.is_null(), "EVP_KDF_fetch(TLS1-PRF) failed");
        Self { kdf, digest }
    }

    pub fn derive(&self, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
        let params = [
            utf8(c"digest", self.digest),
            octets(c"secret", secret),
            octets(c"seed", label),
            octets(c"seed", seed),
            end(),
        ];
        // SAFETY: `self.kdf` is a live EVP_KDF; `params` and the buffers it
        // points into outlive the derive call; `out` is writable for its
        // length; the context is freed on every path.
        let ok = unsafe {
            let ctx = EVP_KDF_CTX_new(self.kdf);
            assert!(!ctx.is_null(), "EVP_KDF_CTX_new failed");
            let ok = EVP_KDF_derive(ctx, out.as_mut_ptr(), out.len(), params.as_ptr());
            EVP_KDF_CTX_free(ctx);
            ok
        };
        assert_eq!(ok, 1, "EVP_KDF_derive(TLS1-PRF) failed");
    }
}

impl Drop for Tls1Prf {
    fn drop(&mut self) {
        // SAFETY: fetched in `new`, freed once.
        unsafe { EVP_KDF_free(self.kdf) }
    }
}

/// An EVP_MAC HMAC context keyed once; [`Hmac::mac`] re-initialises it with
/// a NULL key, which in OpenSSL 3 restarts from the stored key schedule, as
/// a record layer would.
#[derive(Debug)]
pub struct Hmac {
    mac: *mut EVP_MAC,
    ctx: *mut EVP_MAC_CTX,
}

impl Hmac {
    /// `digest`: "MD5", "SHA1", "SHA256" or "SHA384".
    pub fn new(digest: &'static CStr, key: &[u8]) -> Self {
        let params = [utf8(c"digest", digest), end()];
        // SAFETY: null results are checked; `params` and `key` outlive the
        // init call.
        unsafe {
            let mac = EVP_MAC_fetch(ptr::null_mut(), c"HMAC".as_ptr(), ptr::null());
            assert!(!mac.is_null(), "EVP_MAC_fetch(HMAC) failed");
            let ctx = EVP_MAC_CTX_new(mac);
            assert!(!ctx.is_null(), "EVP_MAC_CTX_new failed");
            let ok = EVP_MAC_init(ctx, key.as_ptr(), key.len(), params.as_ptr());
            assert_eq!(ok, 1, "EVP_MAC_init failed");
            Self { mac, ctx }
        }
    }

    /// HMAC over the concatenation of `parts`, written to `out` (which must
    /// hold the digest); returns the MAC length.
    pub fn mac(&mut self, parts: &[&[u8]], out: &mut [u8]) -> usize {
        let mut len = 0usize;
        // SAFETY: `self.ctx` is live and keyed; every pointer is valid for
        // the length passed with it.
        let ok = unsafe {
            let mut ok = EVP_MAC_init(self.ctx, ptr::null(), 0, ptr::null());
            for p in parts {
                ok &= EVP_MAC_update(self.ctx, p.as_ptr(), p.len());
            }
            ok & EVP_MAC_final(self.ctx, out.as_mut_ptr(), &mut len, out.len())
        };
        assert_eq!(ok, 1, "HMAC failed");
        len
    }
}

impl Drop for Hmac {
    fn drop(&mut self) {
        // SAFETY: created in `new`, freed once.
        unsafe {
            EVP_MAC_CTX_free(self.ctx);
            EVP_MAC_free(self.mac);
        }
    }
}
