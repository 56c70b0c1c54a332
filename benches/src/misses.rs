//! Why a target of benches/README.md is missed, and what would close it:
//! the table prints this beside every miss, so a miss is never a bare
//! "no". Each reason was found by the measurement named in it (see the
//! README's findings); a target family without one says so.

/// The reason for a missed target, by the target's text.
pub fn why_missed(what: &str) -> &'static str {
    let openssl_provider = what.contains("(openssl provider)");
    if openssl_provider && what.contains("GCM") {
        return "the provider runs OpenSSL's own EVP AES-GCM context per record, the same code as the \
                OpenSSL side; GCM rates swung ±25 % between rounds on both sides at this load, so a \
                single round's miss is noise until a quiet run says otherwise";
    }
    if openssl_provider && what.starts_with("record-open") {
        return "the provider composes the same EVP calls as the OpenSSL side with every context keyed at \
                setup (until stop 21 an opener made its decrypt context on its first record, which cost \
                6 %; quiet reruns since gave 0.97-1.02); a miss left is load on the machine: rerun the row \
                alone";
    }
    if openssl_provider && what.starts_with("rsa2048 sign") {
        return "the same private operation as the OpenSSL side's EVP_PKEY_sign (RSA_private_encrypt over \
                the engine's DigestInfo); 1.02 on a quiet machine (stop 21), 0.93 beside a helper's \
                builds (stop 20): a miss is load on the machine";
    }
    if openssl_provider {
        return "not analysed: the provider composes OpenSSL's EVP primitives as the OpenSSL side does";
    }
    if what.starts_with("kdf ") && what.contains("sha384") {
        return "SHA-512 compressions dominate (HMAC key schedule cached per secret, transcript digests \
                running); sha2 0.11's AVX2 SHA-512 is not twice as fast as OpenSSL's, and no RustCrypto \
                backend is faster on this CPU; closing it needs a faster SHA-512";
    }
    if what.starts_with("kdf ") && what.contains("verify_data") {
        return "what is left is the hash finalisations libssl also does over its running digests \
                (four MD5/SHA-1 ones for SSL 3.0, RFC 6101 5.6.9); 2x would need faster MD5/SHA-1 \
                compressions than the md-5/sha1 crates'";
    }
    if what.starts_with("record-") && what.contains("GCM") {
        return "GHASH: polyval 0.7.3, the newest, has a PCLMULQDQ backend only, while OpenSSL runs \
                VAES+VPCLMULQDQ stitched AES-GCM on this CPU; closing it needs a VPCLMULQDQ polyval \
                backend (or the openssl provider)";
    }
    if what.starts_with("record-open") {
        return "the OpenSSL side checks the MAC with a plain HMAC over the content; ours runs the \
                constant-time masked check against Lucky 13 (up to six compressions past the content, the \
                MAC read through a fixed window and a rotation: about 0.3 us per record), over the crates' \
                AES-CBC and SHA; the openssl provider, the same check beside OpenSSL's AES-CBC, closes it";
    }
    if what.starts_with("record-") {
        return "same construction and passes as the EVP composition it is set against; the gap is the \
                crates' AES-CBC encryption, one block after another, against OpenSSL's assembly; the \
                openssl provider closes it";
    }
    "not analysed"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_of_target_has_its_own_reason() {
        let cases = [
            "record-seal AES128-GCM-SHA256/tls1.2 16384 (openssl provider) vs OpenSSL",
            "record-open AES128-SHA/tls1.2 16384 (openssl provider) vs OpenSSL",
            "rsa2048 sign sha256 (openssl provider) vs OpenSSL",
            "rsa2048 decrypt premaster (openssl provider) vs OpenSSL",
            "kdf tls1.2-sha384 master secret vs OpenSSL",
            "kdf ssl3 verify_data (3 KiB transcript) vs OpenSSL",
            "record-open AES256-GCM-SHA384/tls1.2 16384 vs OpenSSL",
            "record-open AES128-SHA/tls1.0 16384 vs OpenSSL",
            "record-seal AES128-SHA/tls1.0 16384 vs OpenSSL",
        ];
        let reasons: Vec<&str> = cases.iter().map(|c| why_missed(c)).collect();
        for (i, r) in reasons.iter().enumerate() {
            assert!(reasons.iter().skip(i + 1).all(|o| o != r), "{}: reason shared", cases[i]);
        }
        assert_eq!(why_missed("handshake tls1.2 full vs our RSA decrypt"), "not analysed");
    }
}
