//! The OpenSSL side of every comparison, through the system libcrypto
//! (feature `openssl`). Each function does the same construction as the
//! engine operation it is compared with; where OpenSSL has no single call
//! for it (SSL 3.0's KDF, the MAC-then-encrypt record), it is composed from
//! EVP primitives the way libssl composes it.

mod ffi;
pub mod kdf;
pub mod record;
pub mod rsa;

pub use ffi::{Hmac, Tls1Prf};

/// The OpenSSL build this run links against, for the table header.
pub fn version() -> &'static str {
    openssl::version::version()
}
