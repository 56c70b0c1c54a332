#!/usr/bin/env bash
# The interop matrix: the reference engine against OpenSSL (s_server /
# s_client), GnuTLS (gnutls-serv / gnutls-cli) and tlslite-ng
# (ci/peers/tlslite_peer.py), in both roles, over every version x suite x
# client-auth mode each peer supports, with a resumed handshake and
# application data both ways in every cell; and against Botan, Go
# crypto/tls, JSSE, mbed TLS and wolfSSL (ci/peers/install.sh) on a smoke
# subset of those cells. Prints one table per peer and
# role (pass, or skip with the reason) and exits non-zero if a cell failed.
#
# It runs harness/tests/interop.rs, optimised. Needs: openssl, gnutls-bin
# (apt-get install -y gnutls-bin), tlslite-ng (pip install tlslite-ng) and
# the peers of ci/peers/install.sh.
# A missing tool is a failure here (SHAKEDOWN_REQUIRE_PEERS=1); set
# SHAKEDOWN_REQUIRE_PEERS=0 to skip it instead. Extra arguments go to the
# test binary, e.g. `ci/interop.sh gnutls` for one peer.
set -euo pipefail
cd "$(dirname "$0")/.."
export SHAKEDOWN_REQUIRE_PEERS="${SHAKEDOWN_REQUIRE_PEERS:-1}"
# One test at a time keeps the tables apart and the machine quiet.
exec cargo test --release -p shakedown --test interop -- --nocapture --test-threads=1 "$@"
