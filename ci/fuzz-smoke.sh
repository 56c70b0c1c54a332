#!/usr/bin/env bash
# Builds every cargo-fuzz target on the stable toolchain and runs each one,
# one at a time, for a bounded time over its seed corpus. Fails if any
# target crashed, leaked, timed out or ran out of memory, after running
# them all (the input is left in fuzz/artifacts/<target>/). Prints one line
# per target: runs, exec/s and coverage (edges, features) at the end.
#
#   ci/fuzz-smoke.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to $FUZZ_SECONDS or 10. FUZZ_SANITIZER=address
# builds with AddressSanitizer (sets RUSTC_BOOTSTRAP=1 on stable); the
# default is none. Debug assertions (overflow checks) are on. New inputs
# go to a scratch directory, never to fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

secs="${1:-${FUZZ_SECONDS:-10}}"
shift || true
sanitizer="${FUZZ_SANITIZER:-none}"
if [ "$sanitizer" != none ]; then
    export RUSTC_BOOTSTRAP=1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# A failed plain build leaves a cache that makes the next one fail too.
cargo fuzz build -a -s "$sanitizer" || { rm -f target/.rustc_info.json; cargo fuzz build -a -s "$sanitizer"; }

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

failed=()
printf '%-22s %10s %8s %7s %7s\n' target runs exec/s edges features
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t"
    log="$scratch/$t.log"
    if ! cargo fuzz run -a -s "$sanitizer" "$t" "$scratch/$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1; then
        grep -E -A6 "panicked at|ERROR: libFuzzer|SUMMARY" "$log" | head -n 20
        echo "fuzz-smoke: $t FAILED (input in fuzz/artifacts/$t/)" >&2
        failed+=("$t")
    fi
    grep -h "shakedown fuzz" "$log" | sed 's/^/    /' || true
    last="$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    execs="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
    printf '%-22s %10s %8s %7s %7s\n' "$t" "${runs:-?}" "${execs:-?}" "${cov:-?}" "${ft:-?}"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz-smoke: crashes in: ${failed[*]}" >&2
    exit 1
fi
