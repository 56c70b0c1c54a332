#!/usr/bin/env bash
# Runs the scenario suite against the built-in engine and against every
# shipped peer profile (vectors/peers/*.json: OpenSSL s_server/s_client,
# gnutls-serv/gnutls-cli, tlslite-ng, Botan, Go crypto/tls, JSSE, mbed TLS and
# wolfSSL, each as server and client) whose program is installed, writing one
# JUnit file and one JSON report per peer under $OUT. The Go, JSSE, mbed TLS
# and wolfSSL peers are built by ci/peers/install.sh (run it first); the
# runs are niced, as the full suite takes a few minutes (JSSE starts a JVM per
# client test).
#
#   ci/run-suite.sh [OUT]        (default: target/suite)
#
# Exit: 0 when every run passed or skipped, 1 when a case failed, 2 on a
# harness error. A profile whose program is missing is reported and skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/suite}
mkdir -p "$OUT"
cargo build --release -p shakedown
BIN=target/release/shakedown
status=0
run() {
  local name=$1; shift
  echo "== $name"
  set +e
  nice -n 10 "$BIN" run "$@" --junit "$OUT/$name.junit.xml" --json "$OUT/$name.json" --markdown | tee "$OUT/$name.txt" | tail -3
  local rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -gt "$status" ]; then status=$rc; fi
}
run builtin
for profile in vectors/peers/*.json; do
  name=$(basename "$profile" .json)
  [ "$name" = builtin ] && continue
  prog=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["command"][0])' "$profile")
  if ! command -v "$prog" >/dev/null 2>&1; then
    echo "== $name: skipped, $prog is not installed (ci/peers/install.sh)"
    continue
  fi
  # JSSE profiles run classes compiled into target/peers/jsse.
  if grep -q target/peers/jsse "$profile" && [ ! -e target/peers/jsse/JssePeer.class ]; then
    echo "== $name: skipped, target/peers/jsse is not built (ci/peers/install.sh)"
    continue
  fi
  # tlslite-ng profiles run ci/peers/tlslite_peer.py: the module must be there.
  if grep -q tlslite_peer.py "$profile" && ! python3 -c 'import tlslite' 2>/dev/null; then
    echo "== $name: skipped, tlslite-ng is not installed (pip install tlslite-ng)"
    continue
  fi
  # tlslite-ng is pure Python: its 3DES over a 16 KiB record takes seconds
  # on a loaded machine, so it gets a longer wait than the compiled peers.
  timeout=3
  case "$name" in tlslite-*) timeout=10 ;; esac
  run "$name" --peer "$profile" --timeout "$timeout"
done
exit "$status"
