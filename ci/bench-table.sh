#!/usr/bin/env bash
# Runs every benchmark in release (bench profile) and regenerates the table
# in benches/README.md: our rate, OpenSSL's, the ratio, the issue's targets.
# One command:   ci/bench-table.sh
# Criterion's timing flags can be changed with BENCH_ARGS, e.g.
#   BENCH_ARGS="--warm-up-time 1 --measurement-time 3" ci/bench-table.sh
# The machine's load average is written next to the numbers; benchmarks on a
# busy machine are noisy, never assert on them.
set -euo pipefail
cd "$(dirname "$0")/.."

features=()
if pkg-config --exists openssl 2>/dev/null; then
    # openssl-provider: the engine over its OpenSSL provider too.
    features=(--features openssl,openssl-provider)
fi
args=${BENCH_ARGS:---warm-up-time 1 --measurement-time 3}
target=${CARGO_TARGET_DIR:-target}

# Stale results of renamed benchmarks must not reach the table.
for g in kdf record-seal record-open rsa2048 handshake; do
    rm -rf "$target/criterion/$g"
done
cmd="cargo bench -p shakedown-benches ${features[*]} -- $args"
echo "+ $cmd  (load before: $(cat /proc/loadavg))"
# shellcheck disable=SC2086
cargo bench -p shakedown-benches "${features[@]}" -- $args
cargo run -q --release -p shakedown-benches "${features[@]}" --bin bench-table -- \
    "$target/criterion" benches/README.md "$cmd"
