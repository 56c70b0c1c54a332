#!/usr/bin/env python3
"""Regenerates vectors/kat/rsa_pkcs1_tls.json: RSA key exchange and
CertificateVerify signature known answers made with the openssl CLI and the
test key vectors/kat/rsa/test_key_2048.pem.

    python3 ci/kat/gen_rsa.py > vectors/kat/rsa_pkcs1_tls.json

- decrypt, valid: `openssl pkeyutl -encrypt` (PKCS#1 v1.5) of 48-byte
  premasters; the engine must recover them exactly.
- decrypt, invalid: blocks built here with one defect each, encrypted with
  `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:none` (raw RSA); the
  engine must return a premaster (never an error) that starts with the
  client version and differs from the premaster inside the block. Ciphertexts
  of the wrong length are included too.
- sign: `openssl pkeyutl -sign -pkeyopt digest:<hash>` over a digest made
  with `openssl dgst -binary` (PKCS#1 v1.5 is deterministic, so the exact
  bytes are the answer); md5-sha1 gives the TLS 1.0/1.1 form without
  DigestInfo.
Ciphertexts are random, so each run gives new but equally valid vectors.
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEY = os.path.join(ROOT, "vectors/kat/rsa/test_key_2048.pem")
PUB = os.path.join(ROOT, "vectors/kat/rsa/test_key_2048.pub.pem")
K = 256


def openssl(*args, data=b""):
    return subprocess.run(["openssl", *args], input=data, check=True,
                          capture_output=True).stdout


def nonzero(n):
    out = b""
    while len(out) < n:
        out += bytes(b for b in os.urandom(n) if b != 0)
    return out[:n]


def premaster(version):
    return version.to_bytes(2, "big") + os.urandom(46)


def raw_encrypt(block):
    assert len(block) == K
    with tempfile.NamedTemporaryFile() as f:
        f.write(block)
        f.flush()
        return openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", PUB,
                       "-pkeyopt", "rsa_padding_mode:none", "-in", f.name)


def block(msg, ps_len=None, block_type=2, sep=0, zero_at=None):
    ps_len = K - 3 - len(msg) if ps_len is None else ps_len
    ps = bytearray(nonzero(ps_len))
    if zero_at is not None:
        ps[zero_at] = 0
    rest = K - 3 - ps_len - len(msg)
    return bytes([0, block_type]) + bytes(ps) + bytes([sep]) + nonzero(rest) + msg


def main():
    version = openssl("version").decode().strip()
    tc = 0
    valid = []
    for v in (0x0300, 0x0301, 0x0302, 0x0303, 0x0303):
        pm = premaster(v)
        ct = openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", PUB, data=pm)
        tc += 1
        valid.append({"tcId": tc, "comment": "openssl pkeyutl -encrypt (PKCS#1 v1.5)",
                      "clientVersion": f"{v:04x}", "ciphertext": ct.hex(),
                      "premaster": pm.hex(), "result": "valid"})
    invalid = []
    pm = premaster(0x0303)
    bad = [
        ("block type 1", block(pm, block_type=1), ["WrongBlockType"]),
        ("block type 0", block(pm, block_type=0), ["WrongBlockType"]),
        ("zero byte inside the padding string (ends it early)", block(pm, zero_at=100),
         ["ZeroInPadding"]),
        ("zero byte at padding index 3 (padding shorter than 8)", block(pm, zero_at=3),
         ["ZeroInPadding"]),
        ("no 0x00 separator", block(pm, sep=0x5a), ["NoSeparator"]),
        ("padding string of 4 bytes", block(pm, ps_len=4), ["ShortPadding"]),
        ("premaster of 47 bytes", block(pm[:47]), ["WrongPremasterLength"]),
        ("premaster of 49 bytes", block(pm + b"\x01"), ["WrongPremasterLength"]),
    ]
    for comment, blk, flags in bad:
        tc += 1
        invalid.append({"tcId": tc, "comment": comment, "clientVersion": "0303",
                        "ciphertext": raw_encrypt(blk).hex(), "premaster": pm.hex(),
                        "result": "invalid", "flags": flags})
    good_ct = bytes.fromhex(valid[-1]["ciphertext"])
    for comment, ct in (("ciphertext one byte short", good_ct[1:]),
                        ("ciphertext one byte long", b"\x00" + good_ct),
                        ("empty ciphertext", b"")):
        tc += 1
        invalid.append({"tcId": tc, "comment": comment, "clientVersion": "0303",
                        "ciphertext": ct.hex(), "premaster": valid[-1]["premaster"],
                        "result": "invalid", "flags": ["WrongCiphertextLength"]})
    sign_groups = []
    msg = b"shakedown CertificateVerify known answer"
    for name, ossl in (("md5_sha1", "md5-sha1"), ("sha1", "sha1"), ("sha256", "sha256"),
                       ("sha384", "sha384"), ("sha512", "sha512")):
        digest = openssl("dgst", "-" + ossl, "-binary", data=msg)
        with tempfile.NamedTemporaryFile() as f:
            f.write(digest)
            f.flush()
            sig = openssl("pkeyutl", "-sign", "-inkey", KEY, "-pkeyopt",
                          f"digest:{ossl}", "-in", f.name)
        tests = []
        tc += 1
        tests.append({"tcId": tc, "comment": f"openssl pkeyutl -sign -pkeyopt digest:{ossl}",
                      "digest": digest.hex(), "signature": sig.hex(), "result": "valid"})
        flipped = bytearray(sig)
        flipped[-1] ^= 1
        tc += 1
        tests.append({"tcId": tc, "comment": "last signature byte flipped",
                      "digest": digest.hex(), "signature": flipped.hex(),
                      "result": "invalid", "flags": ["ModifiedSignature"]})
        sign_groups.append({"type": "sign", "hash": name, "tests": tests})
    doc = {
        "algorithm": "RSA PKCS#1 v1.5 for TLS: premaster decryption (RFC 5246 7.4.7.1) "
                     "and CertificateVerify signatures (RFC 2246 4.7, RFC 5246 4.7)",
        "source": f"{version}: openssl pkeyutl -encrypt / -sign, and raw RSA "
                  f"(rsa_padding_mode:none) over blocks built in ci/kat/gen_rsa.py",
        "generator": "ci/kat/gen_rsa.py",
        "key": "vectors/kat/rsa/test_key_2048.pem",
        "numberOfTests": tc,
        "notes": {
            "invalid decrypt": "the engine returns a 48-byte premaster starting with "
                               "clientVersion whose other bytes differ from premaster[2..48]",
        },
        "testGroups": [{"type": "decrypt", "tests": valid + invalid}] + sign_groups,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
