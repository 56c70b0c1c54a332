//! `openssl speed` as a second, process-level reference: OpenSSL's own
//! best-case loops, including the stitched AES-CBC-HMAC ciphers libssl uses
//! for TLS records, which no EVP composition reproduces. Also the fallback
//! comparison when the `openssl` feature is off.

use std::process::Command;

/// Our seal operation (row name in group "record-seal"), the EVP cipher
/// `openssl speed -evp` runs, and what that cipher measures.
pub const RECORD_SPEEDS: [(&str, &str, &str); 8] = [
    ("AES128-SHA/tls1.2 16384", "aes-128-cbc-hmac-sha1", "stitched AES-CBC + SHA-1"),
    ("AES256-SHA/tls1.2 16384", "aes-256-cbc-hmac-sha1", "stitched AES-CBC + SHA-1"),
    ("AES128-SHA256/tls1.2 16384", "aes-128-cbc-hmac-sha256", "stitched AES-CBC + SHA-256"),
    ("AES256-SHA256/tls1.2 16384", "aes-256-cbc-hmac-sha256", "stitched AES-CBC + SHA-256"),
    ("AES128-GCM-SHA256/tls1.2 16384", "aes-128-gcm", "AES-GCM"),
    ("AES256-GCM-SHA384/tls1.2 16384", "aes-256-gcm", "AES-GCM"),
    ("DES-CBC3-SHA/tls1.2 16384", "des-ede3-cbc", "3DES-CBC only, no MAC"),
    ("RC4-SHA/tls1.2 16384", "rc4", "RC4 only, no MAC (legacy provider)"),
];

/// Bytes per second of `openssl speed -evp <cipher>` on 16 KiB buffers.
pub fn evp_16k(cipher: &str, seconds: u32) -> Option<f64> {
    let mut cmd = Command::new("openssl");
    cmd.args(["speed", "-mr", "-bytes", "16384", "-seconds", &seconds.to_string()]);
    if cipher == "rc4" {
        cmd.args(["-provider", "default", "-provider", "legacy"]);
    }
    let out = cmd.args(["-evp", cipher]).output().ok()?;
    parse_evp(&String::from_utf8_lossy(&out.stdout))
}

/// "+F:25:AES-128-GCM:5166119217.02" → 5166119217.02 (bytes per second).
pub fn parse_evp(stdout: &str) -> Option<f64> {
    stdout.lines().filter(|l| l.starts_with("+F:")).find_map(|l| l.rsplit(':').next()?.trim().parse().ok())
}

/// RSA-2048 private operations (signatures) per second from
/// `openssl speed rsa2048`.
pub fn rsa2048_private(seconds: u32) -> Option<f64> {
    let out = Command::new("openssl")
        .args(["speed", "-mr", "-seconds", &seconds.to_string(), "rsa2048"])
        .output()
        .ok()?;
    parse_rsa(&String::from_utf8_lossy(&out.stdout))
}

/// "+F2:2:2048:4582.500000:76234.042553" → 4582.5 (sign/s).
pub fn parse_rsa(stdout: &str) -> Option<f64> {
    stdout.lines().filter(|l| l.starts_with("+F2:")).find_map(|l| l.split(':').nth(3)?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_machine_readable_output() {
        assert_eq!(parse_evp("+H:16384\n+F:25:AES-128-GCM:5166119217.02\n"), Some(5166119217.02));
        assert_eq!(parse_rsa("+F2:2:2048:4582.500000:76234.042553\n"), Some(4582.5));
        assert_eq!(parse_evp("garbage"), None);
    }
}
