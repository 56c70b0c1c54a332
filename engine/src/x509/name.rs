//! Server identity check (RFC 6125 6; RFC 2818 3.1): DNS names compared
//! case-insensitively, one wildcard allowed as the whole leftmost label, IP
//! literals against iPAddress entries, and the subject CN consulted only
//! when the certificate has no subjectAltName at all.

use std::net::IpAddr;

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

use super::CertError;

/// Check that the leaf is for `name`.
pub(crate) fn check_server_name(leaf: &X509Certificate<'_>, name: &str) -> Result<(), CertError> {
    let san = leaf.subject_alternative_name().map_err(|_| CertError::BadExtension { index: 0 })?;
    let ip = name.parse::<IpAddr>().ok();
    let matched = match san {
        Some(san) => san.value.general_names.iter().any(|gn| match (gn, ip) {
            (GeneralName::DNSName(pattern), None) => dns_matches(pattern, name),
            (GeneralName::IPAddress(bytes), Some(ip)) => ip_matches(bytes, ip),
            _ => false,
        }),
        // RFC 6125 6.4.4: CN only without any subjectAltName; never for IPs.
        None => {
            ip.is_none()
                && leaf
                    .subject()
                    .iter_common_name()
                    .filter_map(|cn| cn.as_str().ok())
                    .any(|cn| dns_matches(cn, name))
        }
    };
    if matched { Ok(()) } else { Err(CertError::NameMismatch) }
}

fn ip_matches(bytes: &[u8], ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => bytes == v4.octets().as_slice(),
        IpAddr::V6(v6) => bytes == v6.octets().as_slice(),
    }
}

/// `pattern` from the certificate against the reference `name`. A wildcard
/// must be the entire leftmost label and cover exactly one label, and is
/// not honoured over fewer than two further labels (`*.com`).
pub(crate) fn dns_matches(pattern: &str, name: &str) -> bool {
    let pattern = pattern.strip_suffix('.').unwrap_or(pattern);
    let name = name.strip_suffix('.').unwrap_or(name);
    if pattern.is_empty() || name.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(rest) => {
            if rest.contains('*') || rest.split('.').count() < 2 {
                return false;
            }
            match name.split_once('.') {
                Some((first, name_rest)) => !first.is_empty() && name_rest.eq_ignore_ascii_case(rest),
                None => false,
            }
        }
        None => !pattern.contains('*') && pattern.eq_ignore_ascii_case(name),
    }
}

#[cfg(test)]
mod tests {
    use super::dns_matches;

    #[test]
    fn exact_names_match_case_insensitively() {
        assert!(dns_matches("LocalHost", "localhost"));
        assert!(dns_matches("example.com.", "example.com"));
        assert!(!dns_matches("example.com", "example.org"));
        assert!(!dns_matches("", ""));
    }

    #[test]
    fn wildcard_covers_exactly_one_leftmost_label() {
        assert!(dns_matches("*.example.com", "www.example.com"));
        assert!(dns_matches("*.Example.com", "WWW.example.COM"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(!dns_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_matches("*.example.com", ".example.com"));
        assert!(!dns_matches("*.com", "example.com"));
        assert!(!dns_matches("w*.example.com", "www.example.com"));
        assert!(!dns_matches("www.*.com", "www.example.com"));
        assert!(!dns_matches("*.*.example.com", "a.b.example.com"));
    }
}
