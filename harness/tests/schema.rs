//! The checked-in JSON Schemas are generated from the Rust types; this test
//! fails when they drift. Regenerate with `SHAKEDOWN_BLESS=1 cargo test -p shakedown --test schema`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn check(file: &str, generated: String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/schema").join(file);
    if std::env::var_os("SHAKEDOWN_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{} is out of date: run SHAKEDOWN_BLESS=1 cargo test -p shakedown --test schema",
        path.display()
    );
}

#[test]
fn scenario_schema_is_up_to_date() {
    check("scenario.schema.json", shakedown::vector::schema_json());
}

#[test]
fn peer_profile_schema_is_up_to_date() {
    check("peer.schema.json", shakedown::peer::profile::schema_json());
}
