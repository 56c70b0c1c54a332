//! The RSA private operations of a handshake through OpenSSL's EVP_PKEY:
//! PKCS#1 v1.5 decryption of a premaster and a PKCS#1 v1.5 SHA-256
//! signature, with the same RSA-2048 key as the engine's server.

use openssl::md::Md;
use openssl::pkey::{PKey, Private};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;

use crate::fixtures::cert_file;

pub fn server_key() -> PKey<Private> {
    PKey::private_key_from_pem(cert_file("server.key.pem").as_bytes()).unwrap()
}

/// EVP_PKEY_encrypt of `msg` with PKCS#1 v1.5 padding.
pub fn encrypt(key: &PKey<Private>, msg: &[u8]) -> Vec<u8> {
    let mut ctx = PkeyCtx::new(key).unwrap();
    ctx.encrypt_init().unwrap();
    ctx.set_rsa_padding(Padding::PKCS1).unwrap();
    let mut out = Vec::new();
    ctx.encrypt_to_vec(msg, &mut out).unwrap();
    out
}

/// EVP_PKEY_decrypt with PKCS#1 v1.5 padding (blinded, as libcrypto does
/// by default).
pub fn decrypt(key: &PKey<Private>, ciphertext: &[u8]) -> Vec<u8> {
    let mut ctx = PkeyCtx::new(key).unwrap();
    ctx.decrypt_init().unwrap();
    ctx.set_rsa_padding(Padding::PKCS1).unwrap();
    let mut out = Vec::new();
    ctx.decrypt_to_vec(ciphertext, &mut out).unwrap();
    out
}

/// EVP_PKEY_sign of a SHA-256 digest with PKCS#1 v1.5 padding.
pub fn sign_sha256(key: &PKey<Private>, digest: &[u8]) -> Vec<u8> {
    let mut ctx = PkeyCtx::new(key).unwrap();
    ctx.sign_init().unwrap();
    ctx.set_rsa_padding(Padding::PKCS1).unwrap();
    ctx.set_signature_md(Md::sha256()).unwrap();
    let mut out = Vec::new();
    ctx.sign_to_vec(digest, &mut out).unwrap();
    out
}
