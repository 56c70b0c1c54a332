#!/usr/bin/env python3
"""Regenerates the key-schedule known answers under vectors/kat/.

Expected values come from implementations other than shakedown:

* the OpenSSL CLI (`openssl kdf ... TLS1-PRF`, `openssl dgst`) for the
  TLS 1.0/1.1 (MD5-SHA1) and TLS 1.2 (SHA256, SHA384) PRF, master secrets,
  extended master secrets, key blocks and TLS Finished;
* tlslite-ng (tlslite.mathtls.calc_key, tlslite.handshakehashes,
  tlslite.keyexchange.KeyExchange.calcVerifyBytes) for everything SSL 3.0,
  for CertificateVerify hashes, and as a second source for every TLS value
  OpenSSL produced (the script stops if the two disagree).

Inputs are fixed: each is SHA-256 in counter mode over a name, so a rerun
with the same tool versions writes byte-identical files.

Usage (from the repository root):
    python3 -m venv /tmp/katvenv
    /tmp/katvenv/bin/pip install -r ci/kat/requirements.txt
    /tmp/katvenv/bin/python ci/kat/gen_kdf.py
then review `git diff vectors/kat`.
"""

import hashlib
import json
import pathlib
import subprocess
import warnings

import tlslite
from tlslite.handshakehashes import HandshakeHashes
from tlslite.keyexchange import KeyExchange
from tlslite.mathtls import calc_key
from tlslite.constants import CipherSuite, HashAlgorithm, SignatureAlgorithm

warnings.simplefilter("ignore", DeprecationWarning)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "vectors" / "kat"
GENERATOR = "ci/kat/gen_kdf.py"

OPENSSL_VERSION = subprocess.run(
    ["openssl", "version"], check=True, capture_output=True, text=True
).stdout.strip()
TLSLITE = f"tlslite-ng {tlslite.__version__} (PyPI)"
OPENSSL_KDF = f"{OPENSSL_VERSION}: openssl kdf -binary -keylen N -kdfopt digest:D -kdfopt hexsecret:S -kdfopt hexseed:(label+seed) TLS1-PRF"
OPENSSL_DGST = f"{OPENSSL_VERSION}: openssl dgst -binary -<hash>"


def det_bytes(name, n):
    """n deterministic pseudo-random bytes named by `name`."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"shakedown-kat/{name}/{i}".encode()).digest()
        i += 1
    return out[:n]


def premaster(name, version):
    # RFC 5246 7.4.7.1: client_version followed by 46 random bytes.
    return bytes(version) + det_bytes(name, 46)


def openssl_prf(digest, secret, label, seed, n):
    res = subprocess.run(
        [
            "openssl", "kdf", "-binary", "-keylen", str(n),
            "-kdfopt", f"digest:{digest}",
            "-kdfopt", f"hexsecret:{secret.hex()}",
            "-kdfopt", f"hexseed:{(label + seed).hex()}",
            "TLS1-PRF",
        ],
        check=True,
        capture_output=True,
    )
    assert len(res.stdout) == n, (digest, n, res.stdout)
    return res.stdout


def openssl_dgst(name, data):
    res = subprocess.run(
        ["openssl", "dgst", "-binary", f"-{name}"],
        input=data, check=True, capture_output=True,
    )
    return res.stdout


def hashes_over(transcript):
    hh = HandshakeHashes()
    hh.update(bytearray(transcript))
    return hh


# What each PRF is called in the vectors, in OpenSSL and in tlslite-ng.
# tlslite-ng picks the TLS 1.2 PRF hash from the cipher suite.
PRFS = {
    "tls1.0": ("MD5-SHA1", (3, 1), CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA),
    "tls1.1": ("MD5-SHA1", (3, 2), CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA),
    "tls1.2-sha256": ("SHA256", (3, 3), CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256),
    "tls1.2-sha384": ("SHA384", (3, 3), CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384),
}
VERSION_BYTES = {"ssl3": (3, 0), "tls1.0": (3, 1), "tls1.1": (3, 2), "tls1.2": (3, 3)}


def check(a, b, what):
    if bytes(a) != bytes(b):
        raise SystemExit(f"sources disagree on {what}: {bytes(a).hex()} != {bytes(b).hex()}")


def write(name, doc):
    n = sum(len(g["tests"]) for g in doc["testGroups"])
    doc["numberOfTests"] = n
    path = OUT / name
    path.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"{path.relative_to(ROOT)}: {n} tests")


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return self.n


# ---------------------------------------------------------------- raw PRF

def gen_prf():
    tc = Counter()
    groups = []
    cases = [
        # (secret length, label, seed length, output length, comment)
        (48, b"master secret", 64, 48, "master secret shape"),
        (48, b"key expansion", 64, 104, "key block shape, AES128-SHA TLS 1.0"),
        (48, b"client finished", 36, 12, "Finished shape"),
        (47, b"test label", 20, 100, "odd secret: S1 and S2 share the middle byte"),
        (1, b"test label", 10, 33, "one-byte secret"),
        (0, b"test label", 10, 20, "empty secret"),
        (200, b"test label", 10, 20, "secret longer than an HMAC block"),
        (48, b"", 32, 1, "empty label, one byte out"),
        (48, b"test label", 0, 64, "empty seed"),
        (48, b"key expansion", 64, 416, "long output"),
    ]
    for digest in ["MD5-SHA1", "SHA256", "SHA384"]:
        prf_name = {"MD5-SHA1": "tls1.0", "SHA256": "tls1.2-sha256", "SHA384": "tls1.2-sha384"}[digest]
        tests = []
        for slen, label, seedlen, n, comment in cases:
            secret = det_bytes(f"prf/{digest}/{slen}/{n}/secret", slen)
            seed = det_bytes(f"prf/{digest}/{slen}/{n}/seed", seedlen)
            out = openssl_prf(digest, secret, label, seed, n)
            tests.append({
                "tcId": tc(), "comment": comment, "secret": secret.hex(),
                "label": label.hex(), "seed": seed.hex(), "outputLength": n,
                "output": out.hex(), "result": "valid",
            })
        groups.append({"type": "PrfTest", "prf": prf_name, "opensslDigest": digest,
                       "source": OPENSSL_KDF, "tests": tests})
    write("kdf_tls_prf.json", {
        "algorithm": "TLS-PRF",
        "specification": "RFC 2246 5 (P_MD5 xor P_SHA1), RFC 5246 5 (P_SHA256, P_SHA384)",
        "source": OPENSSL_KDF,
        "generator": GENERATOR,
        "notes": {"label": "hex of the ASCII label; OpenSSL takes label+seed as one seed"},
        "testGroups": groups,
    })


# ---------------------------------------------------------- master secret

def gen_master_secret():
    tc = Counter()
    groups = []
    # SSL 3.0: tlslite-ng only (OpenSSL's CLI has no SSL 3.0 KDF).
    tests = []
    for i in range(4):
        pms = premaster(f"ms/ssl3/{i}", (3, 0))
        cr = det_bytes(f"ms/ssl3/{i}/cr", 32)
        sr = det_bytes(f"ms/ssl3/{i}/sr", 32)
        ms = calc_key((3, 0), bytearray(pms), 0, b"master secret",
                      client_random=bytearray(cr), server_random=bytearray(sr),
                      output_length=48)
        tests.append({"tcId": tc(), "comment": f"SSL 3.0 master secret {i}",
                      "premaster": pms.hex(), "clientRandom": cr.hex(),
                      "serverRandom": sr.hex(), "masterSecret": bytes(ms).hex(),
                      "result": "valid"})
    groups.append({"type": "MasterSecretTest", "prf": "ssl3",
                   "source": f"{TLSLITE}: tlslite.mathtls.calc_key((3, 0), premaster, 0, b'master secret', ...)",
                   "tests": tests})
    for prf_name, (digest, version, suite) in PRFS.items():
        tests = []
        for i in range(3):
            pms = premaster(f"ms/{prf_name}/{i}", version)
            cr = det_bytes(f"ms/{prf_name}/{i}/cr", 32)
            sr = det_bytes(f"ms/{prf_name}/{i}/sr", 32)
            ms = openssl_prf(digest, pms, b"master secret", cr + sr, 48)
            other = calc_key(version, bytearray(pms), suite, b"master secret",
                             client_random=bytearray(cr), server_random=bytearray(sr),
                             output_length=48)
            check(ms, other, f"master secret {prf_name} {i}")
            tests.append({"tcId": tc(), "comment": f"{prf_name} master secret {i}",
                          "premaster": pms.hex(), "clientRandom": cr.hex(),
                          "serverRandom": sr.hex(), "masterSecret": ms.hex(),
                          "result": "valid"})
        groups.append({"type": "MasterSecretTest", "prf": prf_name,
                       "source": f"{OPENSSL_KDF} with label 'master secret' and seed client_random+server_random; "
                                 f"cross-checked with {TLSLITE} tlslite.mathtls.calc_key",
                       "tests": tests})
    write("kdf_master_secret.json", {
        "algorithm": "MasterSecret",
        "specification": "RFC 6101 6.1, RFC 2246 8.1.1, RFC 5246 8.1",
        "source": f"{OPENSSL_VERSION} (TLS) and {TLSLITE} (SSL 3.0, TLS cross-check)",
        "generator": GENERATOR,
        "testGroups": groups,
    })


# ------------------------------------------------- extended master secret

def gen_extended_master_secret():
    tc = Counter()
    groups = []
    for prf_name, (digest, version, suite) in PRFS.items():
        tests = []
        for i, tlen in enumerate([0, 300, 1500]):
            pms = premaster(f"ems/{prf_name}/{i}", version)
            transcript = det_bytes(f"ems/{prf_name}/{i}/transcript", tlen)
            if digest == "MD5-SHA1":
                session_hash = openssl_dgst("md5", transcript) + openssl_dgst("sha1", transcript)
            else:
                session_hash = openssl_dgst(digest.lower(), transcript)
            ems = openssl_prf(digest, pms, b"extended master secret", session_hash, 48)
            other = calc_key(version, bytearray(pms), suite, b"extended master secret",
                             handshake_hashes=hashes_over(transcript), output_length=48)
            check(ems, other, f"extended master secret {prf_name} {i}")
            tests.append({"tcId": tc(), "comment": f"{prf_name} extended master secret, {tlen}-byte transcript",
                          "premaster": pms.hex(), "transcript": transcript.hex(),
                          "sessionHash": session_hash.hex(), "masterSecret": ems.hex(),
                          "result": "valid"})
        groups.append({"type": "ExtendedMasterSecretTest", "prf": prf_name,
                       "source": f"session hash: {OPENSSL_DGST} (md5||sha1 for MD5-SHA1); "
                                 f"secret: {OPENSSL_KDF} with label 'extended master secret'; "
                                 f"cross-checked with {TLSLITE} tlslite.mathtls.calc_key",
                       "tests": tests})
    write("kdf_extended_master_secret.json", {
        "algorithm": "ExtendedMasterSecret",
        "specification": "RFC 7627 3, 4",
        "source": f"{OPENSSL_VERSION}, cross-checked with {TLSLITE}",
        "generator": GENERATOR,
        "testGroups": groups,
    })


# -------------------------------------------------------------- key block

# (OpenSSL suite name, tlslite suite id, MAC key len, enc key len, block len
#  or None for stream, AEAD salt len or None), written out here rather than
# read from the engine's table so the split is checked independently.
SUITES = {
    "NULL-MD5": (CipherSuite.TLS_RSA_WITH_NULL_MD5, 16, 0, None, None),
    "RC4-SHA": (CipherSuite.TLS_RSA_WITH_RC4_128_SHA, 20, 16, None, None),
    "DES-CBC3-SHA": (CipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA, 20, 24, 8, None),
    "AES128-SHA": (CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA, 20, 16, 16, None),
    "AES256-SHA": (CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA, 20, 32, 16, None),
    "AES256-SHA256": (CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256, 32, 32, 16, None),
    "AES128-GCM-SHA256": (CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, 0, 16, None, 4),
    "AES256-GCM-SHA384": (CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384, 0, 32, None, 4),
}
KEY_BLOCK_CASES = [
    ("ssl3", "NULL-MD5"), ("ssl3", "RC4-SHA"), ("ssl3", "DES-CBC3-SHA"), ("ssl3", "AES256-SHA"),
    ("tls1.0", "RC4-SHA"), ("tls1.0", "DES-CBC3-SHA"), ("tls1.0", "AES128-SHA"),
    ("tls1.1", "AES128-SHA"), ("tls1.1", "AES256-SHA"),
    ("tls1.2", "AES128-SHA"), ("tls1.2", "AES256-SHA256"),
    ("tls1.2", "AES128-GCM-SHA256"), ("tls1.2", "AES256-GCM-SHA384"),
]


def layout(version, suite):
    _, mac, key, block, salt = SUITES[suite]
    if salt is not None:
        iv = salt  # RFC 5288 3
    elif block is None:
        iv = 0
    elif version in ("ssl3", "tls1.0"):
        iv = block  # RFC 2246 6.3
    else:
        iv = 0  # RFC 4346 6.3: explicit IVs
    return mac, key, iv


def gen_key_block():
    tc = Counter()
    tests_by_group = {}
    for version, suite in KEY_BLOCK_CASES:
        suite_id = SUITES[suite][0]
        mac, key, iv = layout(version, suite)
        n = 2 * (mac + key + iv)
        ms = det_bytes(f"kb/{version}/{suite}/ms", 48)
        cr = det_bytes(f"kb/{version}/{suite}/cr", 32)
        sr = det_bytes(f"kb/{version}/{suite}/sr", 32)
        tl_version = VERSION_BYTES[version]
        tl = calc_key(tl_version, bytearray(ms), suite_id, b"key expansion",
                      client_random=bytearray(cr), server_random=bytearray(sr),
                      output_length=n)
        if version == "ssl3":
            kb = bytes(tl)
            group = "ssl3"
        else:
            digest = "MD5-SHA1" if version != "tls1.2" else ("SHA384" if suite.endswith("SHA384") else "SHA256")
            kb = openssl_prf(digest, ms, b"key expansion", sr + cr, n)
            check(kb, tl, f"key block {version} {suite}")
            group = "tls"
        parts = {}
        off = 0
        # RFC 5246 6.3 order, as tlslite.recordlayer.calcPendingStates splits.
        for name, ln in [("clientMacKey", mac), ("serverMacKey", mac), ("clientKey", key),
                         ("serverKey", key), ("clientIv", iv), ("serverIv", iv)]:
            parts[name] = kb[off:off + ln].hex()
            off += ln
        tests_by_group.setdefault(group, []).append({
            "tcId": tc(), "comment": f"{version} {suite}", "version": version, "suite": suite,
            "masterSecret": ms.hex(), "clientRandom": cr.hex(), "serverRandom": sr.hex(),
            "keyBlock": kb.hex(), **parts, "result": "valid"})
    groups = [
        {"type": "KeyBlockTest", "source": f"{TLSLITE}: tlslite.mathtls.calc_key(version, master, suite, b'key expansion', ...)",
         "tests": tests_by_group["ssl3"]},
        {"type": "KeyBlockTest",
         "source": f"{OPENSSL_KDF} with label 'key expansion' and seed server_random+client_random "
                   f"(digest MD5-SHA1 before TLS 1.2, else the suite's PRF hash); cross-checked with {TLSLITE} calc_key",
         "tests": tests_by_group["tls"]},
    ]
    write("kdf_key_block.json", {
        "algorithm": "KeyBlock",
        "specification": "RFC 6101 6.2.2, RFC 2246 6.3, RFC 4346 6.3, RFC 5246 6.3, RFC 5288 3",
        "source": f"{OPENSSL_VERSION} (TLS) and {TLSLITE} (SSL 3.0, TLS cross-check)",
        "generator": GENERATOR,
        "notes": {"split": "client MAC key, server MAC key, client key, server key, client IV, server IV; "
                           "lengths from this script's own suite table"},
        "testGroups": groups,
    })


# -------------------------------------------------------------- Finished

def tlslite_finished(version, suite, ms, transcript, side):
    label = b"client finished" if side == "client" else b"server finished"
    return bytes(calc_key(version, bytearray(ms), suite, label,
                          handshake_hashes=hashes_over(transcript), output_length=12))


def gen_finished():
    tc = Counter()
    groups = []
    prfs = {"ssl3": (None, (3, 0), CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA), **PRFS}
    for prf_name, (digest, version, suite) in prfs.items():
        tests = []
        for i, tlen in enumerate([0, 64, 2000]):
            ms = det_bytes(f"fin/{prf_name}/{i}/ms", 48)
            transcript = det_bytes(f"fin/{prf_name}/{i}/transcript", tlen)
            for side in ["client", "server"]:
                vd = tlslite_finished(version, suite, ms, transcript, side)
                if digest is not None:
                    label = b"client finished" if side == "client" else b"server finished"
                    if digest == "MD5-SHA1":
                        h = openssl_dgst("md5", transcript) + openssl_dgst("sha1", transcript)
                    else:
                        h = openssl_dgst(digest.lower(), transcript)
                    check(vd, openssl_prf(digest, ms, label, h, 12), f"finished {prf_name} {i} {side}")
                tests.append({"tcId": tc(), "comment": f"{prf_name} {side} Finished, {tlen}-byte transcript",
                              "masterSecret": ms.hex(), "transcript": transcript.hex(), "sender": side,
                              "verifyData": vd.hex(), "received": vd.hex(), "result": "valid"})
        # Invalid: what a peer might send instead.
        ms = det_bytes(f"fin/{prf_name}/bad/ms", 48)
        transcript = det_bytes(f"fin/{prf_name}/bad/transcript", 200)
        vd = tlslite_finished(version, suite, ms, transcript, "client")
        other_side = tlslite_finished(version, suite, ms, transcript, "server")
        short_transcript = tlslite_finished(version, suite, ms, transcript[:-1], "client")
        flipped_first = bytes([vd[0] ^ 0x01]) + vd[1:]
        flipped_last = vd[:-1] + bytes([vd[-1] ^ 0x80])
        bad = [
            ("first byte flipped", flipped_first),
            ("last byte flipped", flipped_last),
            ("truncated by one byte", vd[:-1]),
            ("one byte appended", vd + b"\x00"),
            ("empty", b""),
            ("the other side's verify_data", other_side),
            ("computed over the transcript minus its last byte", short_transcript),
        ]
        if prf_name == "ssl3":
            bad.append(("a TLS-sized (12-byte) prefix of the SSL 3.0 value", vd[:12]))
        for comment, received in bad:
            tests.append({"tcId": tc(), "comment": f"{prf_name}: {comment}",
                          "masterSecret": ms.hex(), "transcript": transcript.hex(), "sender": "client",
                          "verifyData": vd.hex(), "received": received.hex(), "result": "invalid"})
        src = f"{TLSLITE}: tlslite.mathtls.calc_key(version, master, suite, b'client finished'/b'server finished', handshake_hashes=...)"
        if digest is not None:
            src += f"; cross-checked with {OPENSSL_DGST} and {OPENSSL_KDF}"
        else:
            src += " (SSL 3.0: HandshakeHashes.digestSSL with sender CLNT/SRVR)"
        groups.append({"type": "FinishedTest", "prf": prf_name, "source": src, "tests": tests})
    write("finished_verify_data.json", {
        "algorithm": "FinishedVerifyData",
        "specification": "RFC 6101 5.6.9, RFC 2246 7.4.9, RFC 5246 7.4.9",
        "source": f"{TLSLITE}, TLS values cross-checked with {OPENSSL_VERSION}",
        "generator": GENERATOR,
        "notes": {"verifyData": "what the sender must compute",
                  "received": "what the peer sent; result is valid iff it matches verifyData"},
        "testGroups": groups,
    })


# ------------------------------------------------------- CertificateVerify

TLS12_HASHES = {
    "sha1": HashAlgorithm.sha1, "sha224": HashAlgorithm.sha224, "sha256": HashAlgorithm.sha256,
    "sha384": HashAlgorithm.sha384, "sha512": HashAlgorithm.sha512,
}


def gen_certverify():
    tc = Counter()
    groups = []
    # SSL 3.0: calcVerifyBytes derives the master secret itself from the
    # premaster and randoms, so the vector records all three.
    tests = []
    for i, tlen in enumerate([0, 500]):
        pms = premaster(f"cv/ssl3/{i}", (3, 0))
        cr = det_bytes(f"cv/ssl3/{i}/cr", 32)
        sr = det_bytes(f"cv/ssl3/{i}/sr", 32)
        ms = bytes(calc_key((3, 0), bytearray(pms), 0, b"master secret",
                            client_random=bytearray(cr), server_random=bytearray(sr), output_length=48))
        transcript = det_bytes(f"cv/ssl3/{i}/transcript", tlen)
        d = KeyExchange.calcVerifyBytes((3, 0), hashes_over(transcript), None, bytearray(pms),
                                        bytearray(cr), bytearray(sr))
        tests.append({"tcId": tc(), "comment": f"SSL 3.0, {tlen}-byte transcript", "version": "ssl3",
                      "hash": None, "masterSecret": ms.hex(), "transcript": transcript.hex(),
                      "digest": bytes(d).hex(), "result": "valid"})
    tests.append({"tcId": tc(), "comment": "SSL 3.0 CertificateVerify carries no hash algorithm",
                  "version": "ssl3", "hash": "sha256", "masterSecret": ms.hex(),
                  "transcript": transcript.hex(), "digest": None, "result": "invalid"})
    groups.append({"type": "CertificateVerifyTest",
                   "source": f"{TLSLITE}: tlslite.keyexchange.KeyExchange.calcVerifyBytes((3, 0), ...) "
                             "(HandshakeHashes.digestSSL with an empty sender)",
                   "tests": tests})

    tests = []
    for version in ["tls1.0", "tls1.1"]:
        for i, tlen in enumerate([0, 700]):
            transcript = det_bytes(f"cv/{version}/{i}/transcript", tlen)
            d = bytes(KeyExchange.calcVerifyBytes(VERSION_BYTES[version], hashes_over(transcript), None,
                                                  None, None, None))
            check(d, openssl_dgst("md5", transcript) + openssl_dgst("sha1", transcript), f"cv {version}")
            tests.append({"tcId": tc(), "comment": f"{version} MD5||SHA1, {tlen}-byte transcript",
                          "version": version, "hash": None, "masterSecret": det_bytes("cv/unused", 48).hex(),
                          "transcript": transcript.hex(), "digest": d.hex(), "result": "valid"})
    tests.append({"tcId": tc(), "comment": "TLS 1.1 CertificateVerify carries no hash algorithm",
                  "version": "tls1.1", "hash": "sha1", "masterSecret": det_bytes("cv/unused", 48).hex(),
                  "transcript": transcript.hex(), "digest": None, "result": "invalid"})
    for name, code in TLS12_HASHES.items():
        transcript = det_bytes(f"cv/tls1.2/{name}/transcript", 1000)
        d = bytes(KeyExchange.calcVerifyBytes((3, 3), hashes_over(transcript),
                                              (code, SignatureAlgorithm.dsa), None, None, None))
        check(d, openssl_dgst(name, transcript), f"cv tls1.2 {name}")
        tests.append({"tcId": tc(), "comment": f"TLS 1.2 {name}", "version": "tls1.2", "hash": name,
                      "masterSecret": det_bytes("cv/unused", 48).hex(), "transcript": transcript.hex(),
                      "digest": d.hex(), "result": "valid"})
    for name, comment in [("md5", "RFC 5246 lists md5 but the engine refuses to sign with it"),
                          ("none", "hash none cannot be signed"),
                          ("0x07", "an unassigned hash"),
                          (None, "TLS 1.2 needs the signature algorithm's hash")]:
        tests.append({"tcId": tc(), "comment": f"TLS 1.2: {comment}", "version": "tls1.2", "hash": name,
                      "masterSecret": det_bytes("cv/unused", 48).hex(), "transcript": transcript.hex(),
                      "digest": None, "result": "invalid"})
    groups.append({"type": "CertificateVerifyTest",
                   "source": f"{TLSLITE}: tlslite.keyexchange.KeyExchange.calcVerifyBytes "
                             "(TLS 1.2 with a dsa scheme, which returns the bare hash without a DigestInfo); "
                             f"cross-checked with {OPENSSL_DGST}",
                   "tests": tests})
    write("certverify_digest.json", {
        "algorithm": "CertificateVerifyDigest",
        "specification": "RFC 6101 5.6.8, RFC 2246 7.4.8, RFC 5246 7.4.8",
        "source": f"{TLSLITE}, TLS values cross-checked with {OPENSSL_VERSION}",
        "generator": GENERATOR,
        "notes": {"digest": "the bytes the signature covers, before PKCS#1 (TLS 1.2: before the DigestInfo)",
                  "hash": "TLS 1.2 HashAlgorithm name, or null"},
        "testGroups": groups,
    })


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    gen_prf()
    gen_master_secret()
    gen_extended_master_secret()
    gen_key_block()
    gen_finished()
    gen_certverify()
