#!/usr/bin/env bash
# The interop fuzzer's long campaigns against real peers (outside CI; CI
# runs short ones in harness/tests): one campaign per named profile, or a
# differential one over several, each for TIME, its corpus and findings in
# OUT/NAME/ and its progress log in OUT/NAME.log. Each campaign's final
# statistics line is appended to OUT/summary.tsv, which fuzz/README.md's
# table is read from.
#
#   ci/fuzz-campaigns.sh OUT TIME NAME...
#
# NAME is a profile in vectors/peers without .json (openssl-server,
# gnutls-client, ...), or diff-servers / diff-clients: the OpenSSL, GnuTLS
# and tlslite-ng servers (clients) together. JOBS (default: the fuzzer's
# own, see `shakedown fuzz --help`) and SEED (default 1) are passed on; SHAKEDOWN_BIN (default target/release/shakedown)
# is the binary, a copy of it keeps a rebuild from changing it mid-run.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:?OUT directory}"
time="${2:?TIME, e.g. 10m}"
shift 2
[ $# -gt 0 ] || { echo "usage: $0 OUT TIME NAME..." >&2; exit 2; }
jobs="${JOBS:-default}"
seed="${SEED:-1}"
bin="${SHAKEDOWN_BIN:-target/release/shakedown}"
[ -x "$bin" ] || { echo "$bin missing: cargo build --release -p shakedown" >&2; exit 2; }
mkdir -p "$out"
summary="$out/summary.tsv"
[ -e "$summary" ] || printf 'campaign\tpeers\ttime\tseed\tjobs\texit\tstatistics\n' >"$summary"

for name in "$@"; do
    case "$name" in
        diff-servers) peers=(openssl-server gnutls-server tlslite-server) ;;
        diff-clients) peers=(openssl-client gnutls-client tlslite-client) ;;
        *) peers=("$name") ;;
    esac
    args=()
    for p in "${peers[@]}"; do
        [ -e "vectors/peers/$p.json" ] || { echo "no profile vectors/peers/$p.json" >&2; exit 2; }
        args+=(--peer "vectors/peers/$p.json")
    done
    rm -rf "${out:?}/$name"
    status=0
    [ "$jobs" = default ] || args+=(--jobs "$jobs")
    "$bin" fuzz "${args[@]}" --time "$time" --seed "$seed" --out "$out/$name" \
        >"$out/$name.log" 2>&1 || status=$?
    # The progress lines end with the campaign's statistics; the last one
    # holding "exec/s" is the final figure.
    stats="$(grep 'exec/s' "$out/$name.log" | tail -n 1 || true)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "${peers[*]}" "$time" "$seed" "$jobs" "$status" "$stats" >>"$summary"
    echo "$name: exit $status: $stats"
done
