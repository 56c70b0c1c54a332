#!/usr/bin/env python3
"""tlslite-ng as an interop peer for shakedown (harness/tests/interop.rs).

  tlslite_peer.py list
      One line per version: `tls1.2 AES128-SHA AES256-SHA ...`, the engine
      (OpenSSL-style) names of the RSA key-exchange suites this tlslite-ng
      offers at that version.
  tlslite_peer.py server --cert CHAIN --key KEY [--port P]
                         [--require-cert | --request-cert] [--timeout S]
      Listens on 127.0.0.1, port P or one the OS picks, prints
      `ready: listening on 127.0.0.1:PORT`, then per connection: handshake
      (SSL 3.0 .. TLS 1.2, every suite), echo application data until the
      client closes, close. One line per connection. Runs until killed. --request-cert asks
      for a client certificate without requiring it (tlslite-ng does not
      verify client chains); --require-cert also drops a connection without
      one after the handshake.
  tlslite_peer.py suite-client --port P --version V [--cert C --key K]
                               [--resume] [--timeout S]
      The client of vectors/peers/tlslite-client.json (`shakedown run` and
      the interop test): one handshake at version V offering every suite,
      then echoes every piece of application data it reads until the
      server closes. With --resume, then a second connection offering the
      first one's session (by id), which does the same. Prints
      `negotiated ...` or `error: ...` (tlslite-ng sends its alert first);
      exit 0 when the connection ended cleanly.

Loopback only; every socket has a timeout so a stalled engine cannot hang it.
"""

import argparse
import socket
import sys

from tlslite.api import (HandshakeSettings, SessionCache, TLSConnection,
                         X509CertChain, parsePEMKey)
from tlslite.constants import CipherSuite

VERSIONS = {"ssl3": (3, 0), "tls1.0": (3, 1), "tls1.1": (3, 2), "tls1.2": (3, 3)}

# engine (OpenSSL) name -> (IANA id, tlslite cipher name, tlslite MAC name)
SUITES = {
    "AES256-GCM-SHA384": (0x009D, "aes256gcm", "aead"),
    "AES128-GCM-SHA256": (0x009C, "aes128gcm", "aead"),
    "AES256-SHA256": (0x003D, "aes256", "sha256"),
    "AES128-SHA256": (0x003C, "aes128", "sha256"),
    "AES256-SHA": (0x0035, "aes256", "sha"),
    "AES128-SHA": (0x002F, "aes128", "sha"),
    "DES-CBC3-SHA": (0x000A, "3des", "sha"),
    "RC4-SHA": (0x0005, "rc4", "sha"),
    "RC4-MD5": (0x0004, "rc4", "md5"),
    "NULL-SHA256": (0x003B, "null", "sha256"),
    "NULL-SHA": (0x0002, "null", "sha"),
    "NULL-MD5": (0x0001, "null", "md5"),
}
BY_ID = {v[0]: k for k, v in SUITES.items()}
ALL_CIPHERS = sorted({v[1] for v in SUITES.values()})
ALL_MACS = sorted({v[2] for v in SUITES.values()})


def settings(lo, hi, ciphers=ALL_CIPHERS, macs=ALL_MACS):
    s = HandshakeSettings()
    s.minVersion, s.maxVersion = lo, hi
    s.cipherNames = list(ciphers)
    s.macNames = list(macs)
    s.keyExchangeNames = ["rsa"]
    return s


def version_name(v):
    return {v: k for k, v in VERSIONS.items()}.get(tuple(v), str(v))


def cmd_list(_args):
    for name, v in VERSIONS.items():
        ids = CipherSuite.getCertSuites(settings(v, v).validate(), v)
        print(name, " ".join(BY_ID[i] for i in ids if i in BY_ID))


def load_identity(cert, key):
    if not cert:
        return None, None
    with open(cert) as f:
        chain = X509CertChain()
        chain.parsePemList(f.read())
    with open(key) as f:
        return chain, parsePEMKey(f.read(), private=True)


def cmd_server(args):
    chain, key = load_identity(args.cert, args.key)
    cache = SessionCache()
    conf = settings((3, 0), (3, 3))
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", args.port))
    lsock.listen(16)
    print("ready: listening on 127.0.0.1:%d" % lsock.getsockname()[1], flush=True)
    n = 0
    while True:
        sock, _ = lsock.accept()
        sock.settimeout(args.timeout)
        conn = TLSConnection(sock)
        try:
            conn.handshakeServer(certChain=chain, privateKey=key,
                                 reqCert=args.require_cert or args.request_cert,
                                 sessionCache=cache,
                                 settings=conf)
            got_cert = conn.session.clientCertChain is not None
            if args.require_cert and not got_cert:
                raise ValueError("no client certificate")
            what = "version=%s suite=%s resumed=%s client_cert=%s" % (
                version_name(conn.version), BY_ID.get(conn.session.cipherSuite),
                conn.resumed, got_cert)
            echoed = 0
            while True:  # echo until the client closes
                data = conn.read(max=16384)
                if not data:
                    break
                conn.write(data)
                echoed += len(data)
            conn.close()
            print("connection %d: %s echoed=%d" % (n, what, echoed), flush=True)
        except Exception as e:  # one bad connection must not stop the server
            print("connection %d: error: %r" % (n, e), flush=True)
        finally:
            sock.close()
        n += 1


def cmd_suite_client(args):
    v = VERSIONS[args.version]
    chain, key = load_identity(args.cert, args.key)
    session = None
    for attempt in range(2 if args.resume else 1):
        sock = socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout)
        sock.settimeout(args.timeout)
        conn = TLSConnection(sock)
        try:
            conn.handshakeClientCert(certChain=chain, privateKey=key, session=session,
                                     settings=settings(v, v), serverName="localhost")
            print("negotiated version=%s suite=%s resumed=%s" % (
                version_name(conn.version), BY_ID.get(conn.session.cipherSuite),
                conn.resumed), flush=True)
            while True:
                data = conn.read(max=16384)
                if not data:
                    break
                conn.write(data)
                print("echoed %d bytes" % len(data), flush=True)
            session = conn.session
            conn.close()
        except Exception as e:  # the alert, if any, is already sent
            print("error: %r" % (e,), flush=True)
            return 1
        finally:
            sock.close()
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list")
    s = sub.add_parser("server")
    s.add_argument("--cert", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--require-cert", action="store_true")
    s.add_argument("--request-cert", action="store_true")
    s.add_argument("--timeout", type=float, default=10.0)
    sc = sub.add_parser("suite-client")
    sc.add_argument("--port", type=int, required=True)
    sc.add_argument("--version", choices=VERSIONS, required=True)
    sc.add_argument("--cert")
    sc.add_argument("--key")
    sc.add_argument("--resume", action="store_true")
    sc.add_argument("--timeout", type=float, default=10.0)
    args = p.parse_args()
    cmds = {"list": cmd_list, "server": cmd_server, "suite-client": cmd_suite_client}
    return cmds[args.cmd](args) or 0


if __name__ == "__main__":
    sys.exit(main())
