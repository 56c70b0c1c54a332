//! What the tests that start `openssl` share: whether it is there, and the
//! rule that a missing peer skips only when SHAKEDOWN_REQUIRE_PEERS is
//! unset (.ci/run sets it, so CI fails instead of skipping silently).

/// True when `openssl` runs; otherwise says the test is skipped and
/// returns false, or fails the test when peers are required.
pub fn openssl_or_skip() -> bool {
    let present =
        std::process::Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success());
    if !present {
        assert!(std::env::var_os("SHAKEDOWN_REQUIRE_PEERS").is_none(), "openssl is required");
        eprintln!("skipped: no openssl");
    }
    present
}
