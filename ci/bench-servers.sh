#!/usr/bin/env bash
# Handshakes per second (full and resumed) and bulk echo of `shakedown serve`
# with each provider and of `openssl s_server`, measured by the same client
# (`shakedown bench` with the OpenSSL provider), TLS 1.2 AES128-SHA. Each
# server runs alone on CPU 0, the client on CPU 1, so the figure is the
# server's. s_server does not echo, so it has no bulk figure.
#
#   ci/bench-servers.sh [ROUNDS]      (default 3; results in $OUT)
#
# SHAKEDOWN_BIN: a release build with `--features openssl-provider`
# (default target/release/shakedown). BULK: MiB per bulk run (default 256).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${SHAKEDOWN_BIN:-target/release/shakedown}"
out="${OUT:-target/bench-servers}"
bulk="${BULK:-256}"
certs=vectors/certs
mkdir -p "$out"
"$bin" bench --help | grep -q -- --provider || { echo "$bin has no --provider" >&2; exit 2; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# run_one NAME BULK_MIB COMMAND...: starts the server, waits for it to
# listen, measures, stops it.
run_one() {
    local name=$1 mib=$2 port log pid
    shift 2
    log="$out/$name.server.log"
    "$@" >"$log" 2>&1 &
    pid=$!
    port=""
    for _ in $(seq 100); do
        port=$(grep -o "127.0.0.1:[0-9]*" "$log" | head -n 1 | cut -d: -f2 || true)
        [ -n "$port" ] && grep -qE "ACCEPT|ready" "$log" && break
        sleep 0.1
    done
    echo "== $name (round $round, $(uptime | sed 's/.*load/load/'))"
    taskset -c 1 "$bin" bench --peer "tcp:127.0.0.1:$port" --versions tls1.2 --suites AES128-SHA \
        --provider openssl --seconds 5 --bulk-mib "$mib" | tee "$out/$name.$round.txt"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

for round in $(seq "${1:-3}"); do
    run_one serve-rustcrypto "$bulk" taskset -c 0 "$bin" serve --port 0 --versions tls1.2 --suites AES128-SHA --provider rustcrypto
    run_one serve-openssl "$bulk" taskset -c 0 "$bin" serve --port 0 --versions tls1.2 --suites AES128-SHA --provider openssl
    port=$(free_port)
    # s_server reads its standard input and sends it: give it one that
    # never delivers and never ends.
    run_one openssl-s_server 0 bash -c "echo listening 127.0.0.1:$port; exec taskset -c 0 openssl s_server \
        -accept 127.0.0.1:$port -cert $certs/server.pem -cert_chain $certs/int.pem -key $certs/server.key.pem \
        -cipher 'ALL:@SECLEVEL=0' -tls1_2 -no_ticket < <(sleep 100000)"
done
pkill -f "sleep 100000" || true
