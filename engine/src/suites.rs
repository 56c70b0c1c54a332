//! The one table of cipher suites the engine implements. Everything else
//! (key block layout, record protection, PRF choice, name lookup) reads it.

use crate::msgs::enums::{CipherSuite, ProtocolVersion};

/// The bulk cipher of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BulkCipher {
    Null,
    Rc4_128,
    TripleDesEdeCbc,
    Aes128Cbc,
    Aes256Cbc,
    Aes128Gcm,
    Aes256Gcm,
}

/// How records of a bulk cipher are built (RFC 5246 6.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CipherKind {
    Stream,
    Block { block_len: usize },
    Aead,
}

impl BulkCipher {
    pub const fn key_len(self) -> usize {
        match self {
            Self::Null => 0,
            Self::Rc4_128 | Self::Aes128Cbc | Self::Aes128Gcm => 16,
            Self::TripleDesEdeCbc => 24,
            Self::Aes256Cbc | Self::Aes256Gcm => 32,
        }
    }

    pub const fn kind(self) -> CipherKind {
        match self {
            Self::Null | Self::Rc4_128 => CipherKind::Stream,
            Self::TripleDesEdeCbc => CipherKind::Block { block_len: 8 },
            Self::Aes128Cbc | Self::Aes256Cbc => CipherKind::Block { block_len: 16 },
            Self::Aes128Gcm | Self::Aes256Gcm => CipherKind::Aead,
        }
    }

    /// Bytes of IV taken from the key block. CBC before TLS 1.1 chains its
    /// first IV from there (RFC 2246 6.3); TLS 1.1+ CBC sends it in each
    /// record and takes none (RFC 4346 6.3); GCM takes a 4-byte salt
    /// (RFC 5288 3).
    pub fn fixed_iv_len(self, version: ProtocolVersion) -> usize {
        match self.kind() {
            CipherKind::Stream => 0,
            CipherKind::Block { block_len } if !version.has_explicit_iv() => block_len,
            CipherKind::Block { .. } => 0,
            CipherKind::Aead => 4,
        }
    }
}

/// The record MAC of a suite: SSL3's MAC (RFC 6101 5.2.3.1) or HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacAlgorithm {
    /// AEAD suites authenticate inside the cipher.
    Aead,
    Md5,
    Sha1,
    Sha256,
    Sha384,
}

impl MacAlgorithm {
    pub const fn output_len(self) -> usize {
        match self {
            Self::Aead => 0,
            Self::Md5 => 16,
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
        }
    }
}

/// The hash of the TLS 1.2 PRF (RFC 5246 5: SHA-256 unless the suite says
/// otherwise). Earlier versions ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrfHash {
    Sha256,
    Sha384,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteInfo {
    pub suite: CipherSuite,
    pub iana_name: &'static str,
    pub openssl_name: &'static str,
    pub cipher: BulkCipher,
    pub mac: MacAlgorithm,
    pub prf: PrfHash,
    pub min_version: ProtocolVersion,
    pub max_version: ProtocolVersion,
}

/// Lengths of the key block's parts for one suite and version
/// (RFC 5246 6.3; RFC 6101 6.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyBlockLayout {
    pub mac_key_len: usize,
    pub enc_key_len: usize,
    pub fixed_iv_len: usize,
}

impl KeyBlockLayout {
    pub const fn total(&self) -> usize {
        2 * (self.mac_key_len + self.enc_key_len + self.fixed_iv_len)
    }
}

impl SuiteInfo {
    pub fn usable_with(&self, version: ProtocolVersion) -> bool {
        let v = version.get();
        self.min_version.get() <= v && v <= self.max_version.get()
    }

    pub fn key_block_layout(&self, version: ProtocolVersion) -> KeyBlockLayout {
        KeyBlockLayout {
            mac_key_len: self.mac.output_len(),
            enc_key_len: self.cipher.key_len(),
            fixed_iv_len: self.cipher.fixed_iv_len(version),
        }
    }

    pub fn is_aead(&self) -> bool {
        self.cipher.kind() == CipherKind::Aead
    }
}

const SSL3: ProtocolVersion = ProtocolVersion::Ssl3;
const TLS12: ProtocolVersion = ProtocolVersion::Tls12;

macro_rules! suite {
    ($suite:ident, $openssl:literal, $cipher:ident, $mac:ident, $prf:ident, $min:ident) => {
        SuiteInfo {
            suite: CipherSuite::$suite,
            iana_name: stringify!($suite),
            openssl_name: $openssl,
            cipher: BulkCipher::$cipher,
            mac: MacAlgorithm::$mac,
            prf: PrfHash::$prf,
            min_version: $min,
            max_version: TLS12,
        }
    };
}

/// Every suite the engine implements, strongest first: the default order of
/// an offer and of a server's preference.
pub static ALL_SUITES: &[SuiteInfo] = &[
    suite!(TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", Aes256Gcm, Aead, Sha384, TLS12),
    suite!(TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", Aes128Gcm, Aead, Sha256, TLS12),
    suite!(TLS_RSA_WITH_AES_256_CBC_SHA256, "AES256-SHA256", Aes256Cbc, Sha256, Sha256, TLS12),
    suite!(TLS_RSA_WITH_AES_128_CBC_SHA256, "AES128-SHA256", Aes128Cbc, Sha256, Sha256, TLS12),
    // AES was specified for TLS (RFC 3268) but OpenSSL and tlslite-ng also
    // run it over SSL 3.0, so the engine allows it there too.
    suite!(TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA", Aes256Cbc, Sha1, Sha256, SSL3),
    suite!(TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", Aes128Cbc, Sha1, Sha256, SSL3),
    suite!(TLS_RSA_WITH_3DES_EDE_CBC_SHA, "DES-CBC3-SHA", TripleDesEdeCbc, Sha1, Sha256, SSL3),
    suite!(TLS_RSA_WITH_RC4_128_SHA, "RC4-SHA", Rc4_128, Sha1, Sha256, SSL3),
    suite!(TLS_RSA_WITH_RC4_128_MD5, "RC4-MD5", Rc4_128, Md5, Sha256, SSL3),
    suite!(TLS_RSA_WITH_NULL_SHA256, "NULL-SHA256", Null, Sha256, Sha256, TLS12),
    suite!(TLS_RSA_WITH_NULL_SHA, "NULL-SHA", Null, Sha1, Sha256, SSL3),
    suite!(TLS_RSA_WITH_NULL_MD5, "NULL-MD5", Null, Md5, Sha256, SSL3),
];

/// The row for a code point, if the engine implements it.
pub fn lookup(suite: CipherSuite) -> Option<&'static SuiteInfo> {
    ALL_SUITES.iter().find(|s| s.suite == suite)
}

/// Finds a suite by its IANA or OpenSSL name (case-insensitive).
pub fn by_name(name: &str) -> Option<&'static SuiteInfo> {
    ALL_SUITES
        .iter()
        .find(|s| s.iana_name.eq_ignore_ascii_case(name) || s.openssl_name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_code_points() {
        for s in ALL_SUITES {
            assert_eq!(s.suite.name(), Some(s.iana_name));
            assert_eq!(by_name(s.openssl_name), Some(s));
            assert_eq!(by_name(&s.iana_name.to_lowercase()), Some(s));
            assert_eq!(lookup(s.suite), Some(s));
        }
        assert!(lookup(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV).is_none());
    }

    #[test]
    fn key_block_layouts_follow_the_rfcs() {
        let aes_sha = by_name("AES128-SHA").unwrap();
        // TLS 1.0: 2*20 MAC + 2*16 key + 2*16 IV (RFC 2246 6.3).
        assert_eq!(aes_sha.key_block_layout(ProtocolVersion::Tls10).total(), 104);
        // TLS 1.1: no IVs from the key block (RFC 4346 6.3).
        assert_eq!(aes_sha.key_block_layout(ProtocolVersion::Tls11).total(), 72);
        let gcm = by_name("AES256-GCM-SHA384").unwrap();
        // RFC 5288 3: no MAC key, 32-byte key, 4-byte salt.
        assert_eq!(gcm.key_block_layout(ProtocolVersion::Tls12).total(), 72);
        assert_eq!(gcm.prf, PrfHash::Sha384);
        let des = by_name("DES-CBC3-SHA").unwrap();
        assert_eq!(des.key_block_layout(ProtocolVersion::Ssl3).total(), 2 * (20 + 24 + 8));
    }

    #[test]
    fn tls12_only_suites_are_refused_earlier() {
        for name in ["AES128-SHA256", "AES256-SHA256", "AES128-GCM-SHA256", "AES256-GCM-SHA384"] {
            let s = by_name(name).unwrap();
            assert!(s.usable_with(ProtocolVersion::Tls12));
            assert!(!s.usable_with(ProtocolVersion::Tls11), "{name}");
            assert!(!s.usable_with(ProtocolVersion::Ssl3), "{name}");
        }
        assert!(by_name("RC4-MD5").unwrap().usable_with(ProtocolVersion::Ssl3));
    }
}
