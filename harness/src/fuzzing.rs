//! Fuzz entry points for the harness's own parsers: scenario vector files
//! and peer profiles come from users and must never panic the runner. The
//! targets in fuzz/ are thin shims over these.

use std::path::PathBuf;

use crate::peer::profile::Profile;
use crate::vector;

/// Parses a scenario vector file and expands it into cases. Returns the
/// number of cases (0 when the file is rejected).
pub fn scenario_vector(data: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    let path = PathBuf::from("fuzz.json");
    match vector::parse(&path, text) {
        Ok(file) => vector::expand(&[(path, file)]).map(|c| c.len()).unwrap_or(0),
        Err(e) => {
            // Every rejection names where it happened.
            debug_assert!(e.to_string().contains("fuzz.json"));
            0
        }
    }
}

/// Parses a peer profile. Returns whether it was accepted.
pub fn peer_profile(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    Profile::parse(text).is_ok()
}
