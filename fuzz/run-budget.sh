#!/usr/bin/env bash
# Runs cargo-fuzz targets one after another, each until it has used a given
# amount of CPU time (user + system, read from /proc/PID/stat), not wall
# time: a niced run on a shared machine still gets its whole budget, and the
# figure fuzz/README.md reports is the CPU time actually spent. Each target
# resumes from fuzz/corpus/TARGET plus its own work directory, so a budget
# can be spent in several sittings (the rows add up).
#
#   fuzz/run-budget.sh CPU_SECONDS TARGET...
#
# FUZZ_SANITIZER=address|none (default address) as in ci/fuzz-smoke.sh; debug
# assertions are on. WORK (default fuzz/budget) keeps the new inputs, the
# logs and results.tsv: one row per sitting with the commit, target,
# sanitizer, CPU seconds, wall seconds, executions, exec per CPU second,
# edges, features and the exit status (72 = stopped by this script, the
# normal end; anything else is a crash, a leak or a timeout, and the input
# is in fuzz/artifacts/TARGET/).
set -euo pipefail
cd "$(dirname "$0")"

budget="${1:?CPU seconds}"
shift
[ $# -gt 0 ] || { echo "usage: $0 CPU_SECONDS TARGET..." >&2; exit 2; }
sanitizer="${FUZZ_SANITIZER:-address}"
work="${WORK:-budget}"
mkdir -p "$work"
results="$work/results.tsv"
[ -e "$results" ] || printf 'commit\ttarget\tsanitizer\tcpu_s\twall_s\truns\texec_per_cpu_s\tedges\tfeatures\texit\n' >"$results"

if [ "$sanitizer" != none ]; then
    export RUSTC_BOOTSTRAP=1
fi
cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
# cargo fuzz builds one target or all of them; all is one build.
cargo fuzz build -a -s "$sanitizer" >&2 || {
    rm -f target/.rustc_info.json
    cargo fuzz build -a -s "$sanitizer" >&2
}
bin_dir="target/x86_64-unknown-linux-gnu/release"
commit="$(git rev-parse --short HEAD)"
ticks="$(getconf CLK_TCK)"

cpu_seconds() { # user + system time of PID, in whole seconds
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo -1; return; }
    # Fields after the command name (which may hold spaces): utime is the
    # 12th, stime the 13th.
    read -r -a f <<<"${stat##*) }"
    echo $(((f[11] + f[12]) / ticks))
}

# One row of results.tsv for target $t's sitting: the runs from the final
# statistics, or from the last status line when the fuzzer was cut short.
record_row() {
    local status=$1 wall runs last cov ft rate
    wall=$(($(date +%s) - start))
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
    [ -n "$runs" ] || runs="$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")"
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
    rate="?"
    [ -n "$runs" ] && [ "$used" -gt 0 ] && rate=$((runs / used))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$commit" "$t" "$sanitizer" "$used" "$wall" \
        "${runs:-?}" "$rate" "${cov:-?}" "${ft:-?}" "$status" | tee -a "$results"
}

# Stopped from outside (a session ending, ^C): the sitting so far still
# counts, so stop the fuzzer, write its row (status "interrupted") and end.
on_signal() {
    if [ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null; then
        now_used="$(cpu_seconds "$pid")"
        [ "$now_used" -lt 0 ] || used="$now_used"
        kill -INT "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        record_row interrupted
    fi
    exit 130
}
trap on_signal INT TERM HUP

for t in "$@"; do
    mkdir -p "$work/$t" "artifacts/$t"
    log="$work/$t.$(date +%Y%m%d-%H%M%S).log"
    start=$(date +%s)
    "$bin_dir/$t" "$work/$t" "corpus/$t" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$log" 2>&1 &
    pid=$!
    # The last reading survives the process: a fuzzer that ends on its own
    # (a crash) or by another's SIGINT is charged what it was last seen to
    # use, at most 2 s short.
    used=0
    while kill -0 "$pid" 2>/dev/null; do
        now_used="$(cpu_seconds "$pid")"
        [ "$now_used" -lt 0 ] || used="$now_used"
        if [ "$used" -ge "$budget" ]; then
            kill -INT "$pid" 2>/dev/null || true
            break
        fi
        sleep 2
    done
    now_used="$(cpu_seconds "$pid")"
    [ "$now_used" -lt 0 ] || used="$now_used"
    status=0
    wait "$pid" || status=$?
    record_row "$status"
    if [ "$status" -ne 72 ] && [ "$status" -ne 0 ]; then
        grep -E -A8 "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|SUMMARY" "$log" | head -n 30 >&2
    fi
done
