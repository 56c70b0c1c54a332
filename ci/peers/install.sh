#!/usr/bin/env bash
# Installs and builds the third-party peers of the interop matrix and the
# suite profiles (vectors/peers/*.json), idempotently:
#   apt: gnutls-bin, botan, golang-go, libmbedtls-dev, libwolfssl-dev,
#        default-jdk-headless (when javac is missing); pip: tlslite-ng 0.8.2
#   built: target/peers/gopeer        (ci/peers/go, Go standard library only)
#          target/peers/mbedtls_peer  (ci/peers/mbedtls)
#          target/peers/wolfssl_peer  (ci/peers/wolfssl)
#          target/peers/jsse/         (ci/peers/jsse, javac)
# A peer is rebuilt only when its source is newer than what was built.
# Nothing here talks to the network except apt-get and pip; the Go build
# runs with GOPROXY=off and GOFLAGS=-mod=mod (no module downloads).
#
#   ci/peers/install.sh          (from anywhere; run as root for apt-get)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=target/peers
mkdir -p "$OUT"

need=()
command -v gnutls-serv >/dev/null 2>&1 || need+=(gnutls-bin)
command -v botan >/dev/null 2>&1 || need+=(botan)
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -e /usr/include/mbedtls/ssl.h ] || need+=(libmbedtls-dev)
[ -e /usr/include/wolfssl/ssl.h ] || need+=(libwolfssl-dev)
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -c 'import tlslite' 2>/dev/null || pip install -q tlslite-ng==0.8.2

# Rebuild $1 when any of the remaining files is newer (or it is missing).
stale() {
  local out=$1; shift
  [ -e "$out" ] || return 0
  for src in "$@"; do [ "$src" -nt "$out" ] && return 0; done
  return 1
}

if stale "$OUT/gopeer" ci/peers/go/main.go ci/peers/go/go.mod; then
  echo "== build $OUT/gopeer"
  (cd ci/peers/go && GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$ROOT/$OUT/gocache" \
    go build -o "$ROOT/$OUT/gopeer" .)
  rm -rf "$ROOT/$OUT/gocache"
fi
if stale "$OUT/mbedtls_peer" ci/peers/mbedtls/mbedtls_peer.c; then
  echo "== build $OUT/mbedtls_peer"
  cc -O1 -Wall -Wextra -Werror -o "$OUT/mbedtls_peer" ci/peers/mbedtls/mbedtls_peer.c \
    -lmbedtls -lmbedx509 -lmbedcrypto
fi
if stale "$OUT/wolfssl_peer" ci/peers/wolfssl/wolfssl_peer.c; then
  echo "== build $OUT/wolfssl_peer"
  cc -O1 -Wall -Wextra -Werror -o "$OUT/wolfssl_peer" ci/peers/wolfssl/wolfssl_peer.c -lwolfssl
fi
if stale "$OUT/jsse/JssePeer.class" ci/peers/jsse/JssePeer.java; then
  echo "== build $OUT/jsse"
  mkdir -p "$OUT/jsse"
  javac -d "$OUT/jsse" ci/peers/jsse/JssePeer.java
fi
echo "== peers ready in $OUT"
