#!/usr/bin/env bash
# Checks that every benchmark still runs: each is executed once in
# criterion's --test mode (no timing, no assertion on speed), with the
# OpenSSL side when libssl-dev is there. Also runs the benches crate's unit
# tests (table and `openssl speed` parsing).
set -euo pipefail
cd "$(dirname "$0")/.."

features=()
if pkg-config --exists openssl 2>/dev/null; then
    features=(--features openssl)
else
    echo "bench-smoke: libssl-dev not found, OpenSSL side skipped (apt-get install -y libssl-dev pkg-config)" >&2
fi

cargo test -p shakedown-benches "${features[@]}" --lib
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
cargo bench -p shakedown-benches "${features[@]}" -- --test >"$out" 2>&1 || status=$?
grep -v '^Success$' "$out" | grep -v '^Testing ' || true
ran=$(grep -c '^Success$' "$out" || true)
if [[ $status -ne 0 || $ran -eq 0 ]]; then
    echo "bench-smoke: FAILED (exit $status, $ran benchmarks ran)" >&2
    exit 1
fi
echo "bench-smoke: $ran benchmarks ran"
echo "$ran passed, 0 failed"
