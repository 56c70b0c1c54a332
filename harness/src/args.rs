//! Parsing of the command line's protocol values: versions, suites, files.

use shakedown_engine::VersionRange;
use shakedown_engine::config::CertifiedKey;
use shakedown_engine::msgs::enums::{CipherSuite, ProtocolVersion};
use shakedown_engine::suites;
use shakedown_engine::x509::TrustAnchors;

/// `tls1.2`, `ssl3..tls1.2` or `all`.
pub fn parse_versions(s: &str) -> Result<VersionRange, String> {
    let one = |v: &str| {
        ProtocolVersion::from_name(v.trim())
            .filter(|v| ProtocolVersion::SUPPORTED.contains(v))
            .ok_or_else(|| format!("unknown version `{v}` (ssl3, tls1.0, tls1.1, tls1.2)"))
    };
    if s == "all" {
        return Ok(VersionRange::ALL);
    }
    let range = match s.split_once("..") {
        Some((lo, hi)) => VersionRange { min: one(lo)?, max: one(hi)? },
        None => VersionRange::only(one(s)?),
    };
    if range.min.get() > range.max.get() {
        return Err(format!("empty version range `{s}`"));
    }
    Ok(range)
}

/// A list of cipher suites, in preference order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteList(pub Vec<CipherSuite>);

/// A comma-separated list of OpenSSL or IANA suite names, or 0x hex code
/// points (any value, so an unimplemented suite can be offered).
pub fn parse_suites(s: &str) -> Result<SuiteList, String> {
    let list: Result<Vec<CipherSuite>, String> = s
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| {
            suites::by_name(n)
                .map(|info| info.suite)
                .or_else(|| CipherSuite::from_name(n))
                .ok_or_else(|| format!("unknown cipher suite `{n}`"))
        })
        .collect();
    let list = list?;
    if list.is_empty() {
        return Err("no cipher suite given".into());
    }
    Ok(SuiteList(list))
}

/// `--provider NAME`: the engine's cryptography; naming one this build
/// lacks is an error that says how to build it in.
pub fn parse_provider(
    s: &str,
) -> Result<std::sync::Arc<dyn shakedown_engine::crypto::provider::CryptoProvider>, String> {
    shakedown_engine::crypto::providers::by_name(s)
}

pub fn read_file(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

pub fn load_identity(chain: &str, key: &str) -> Result<CertifiedKey, String> {
    CertifiedKey::from_pem(&read_file(chain)?, &read_file(key)?).map_err(|e| format!("{chain} / {key}: {e}"))
}

pub fn load_anchors(path: &str) -> Result<TrustAnchors, String> {
    TrustAnchors::from_pem(&read_file(path)?).map_err(|e| format!("{path}: {e}"))
}

/// Seconds since the Unix epoch, from the system clock: the harness owns
/// the clock, the engine only receives the value.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_single_ranges_and_all() {
        assert_eq!(parse_versions("tls1.1").unwrap(), VersionRange::only(ProtocolVersion::Tls11));
        assert_eq!(
            parse_versions("ssl3..tls1.1").unwrap(),
            VersionRange { min: ProtocolVersion::Ssl3, max: ProtocolVersion::Tls11 }
        );
        assert_eq!(parse_versions("all").unwrap(), VersionRange::ALL);
        assert!(parse_versions("tls1.2..ssl3").is_err());
        assert!(parse_versions("tls1.3").is_err());
        assert!(parse_versions("bogus").unwrap_err().contains("bogus"));
    }

    #[test]
    fn suites_parse_by_either_name_or_code_point() {
        assert_eq!(
            parse_suites("AES128-SHA, TLS_RSA_WITH_RC4_128_MD5,0x1301").unwrap().0,
            [
                CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite::TLS_RSA_WITH_RC4_128_MD5,
                CipherSuite::Unknown(0x1301)
            ]
        );
        assert!(parse_suites("AES129-SHA").unwrap_err().contains("AES129-SHA"));
        assert!(parse_suites(",,").is_err());
    }
}
