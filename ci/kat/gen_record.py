#!/usr/bin/env python3
"""Regenerates vectors/kat/record_tlslite.json: record protection known answers
made by tlslite-ng's record layer (its pure-Python ciphers), cross-checked by
decrypting every fragment with the `cryptography` package (OpenSSL backend).

    pip install tlslite-ng   # 0.8.2 was used
    python3 ci/kat/gen_record.py > vectors/kat/record_tlslite.json

tlslite-ng is driven below its handshake: a RecordLayer gets a write state
with fixed keys (as calcPendingStates would build it) and seals records with
_macThenEncrypt / _encryptThenMAC / _encryptThenSeal. Keys come from SHA-256
of the test name, so the output is the same on every run. For TLS 1.1+ CBC,
tlslite sends E(residue XOR fixedIVBlock) as the per-record IV (RFC 4346
6.2.3.2 option 2b); the vector records that first block as `explicitIv`, the
random input our sealer must be given to build the same record.
"""

import hashlib
import json
import sys

import tlslite
from tlslite.mathtls import createHMAC, createMAC_SSL
from tlslite.recordlayer import ConnectionState, RecordLayer
# The digest constructors tlslite's own record layer passes (recordlayer.py
# imports tlshashlib as hashlib); MAC_SSL picks the MD5 pad length by
# identity against these, so stdlib hashlib.md5 would get the SHA pad.
from tlslite.utils import tlshashlib
from tlslite.utils.cipherfactory import (createAES, createAESGCM, createRC4,
                                         createTripleDES)
import cryptography
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4, TripleDES

IMPL = ["python"]  # tlslite's own ciphers, independent of OpenSSL

# (OpenSSL name, cipher, key length, block length, hash, MAC length, min version)
SUITES = [
    ("AES256-GCM-SHA384", "gcm", 32, 0, None, 0, 3),
    ("AES128-GCM-SHA256", "gcm", 16, 0, None, 0, 3),
    ("AES256-SHA256", "aes", 32, 16, tlshashlib.sha256, 32, 3),
    ("AES128-SHA256", "aes", 16, 16, tlshashlib.sha256, 32, 3),
    ("AES256-SHA", "aes", 32, 16, tlshashlib.sha1, 20, 0),
    ("AES128-SHA", "aes", 16, 16, tlshashlib.sha1, 20, 0),
    ("DES-CBC3-SHA", "3des", 24, 8, tlshashlib.sha1, 20, 0),
    ("RC4-SHA", "rc4", 16, 0, tlshashlib.sha1, 20, 0),
    ("RC4-MD5", "rc4", 16, 0, tlshashlib.md5, 16, 0),
    ("NULL-SHA256", "null", 0, 0, tlshashlib.sha256, 32, 3),
    ("NULL-SHA", "null", 0, 0, tlshashlib.sha1, 20, 0),
    ("NULL-MD5", "null", 0, 0, tlshashlib.md5, 16, 0),
]
VERSIONS = ["ssl3", "tls1.0", "tls1.1", "tls1.2"]

# (content type, plaintext length): the 37-byte one leaves padding content in
# every CBC suite, the empty one is legal for application data, 64 is block
# aligned.
RECORDS = [(22, 37), (23, 0), (23, 64)]


def stream(label, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{i}".encode()).digest()
        i += 1
    return bytearray(out[:n])


def make_state(cipher, enc_key, iv, mac_hash, mac_key, minor, salt):
    st = ConnectionState()
    if mac_hash is not None:
        make = createMAC_SSL if minor == 0 else createHMAC
        st.macContext = make(bytes(mac_key), digestmod=mac_hash)
    if cipher == "aes":
        st.encContext = createAES(enc_key, iv, IMPL)
    elif cipher == "3des":
        st.encContext = createTripleDES(enc_key, iv, IMPL)
    elif cipher == "rc4":
        st.encContext = createRC4(enc_key, bytearray(), IMPL)
    elif cipher == "gcm":
        st.encContext = createAESGCM(enc_key, IMPL)
        st.fixedNonce = salt
    return st


def independent_mac(key, mac_len, minor, seq, ctype, pt):
    """The record MAC from the RFC text with stdlib hashlib/hmac."""
    import hmac as std_hmac
    name = {16: "md5", 20: "sha1", 32: "sha256"}[mac_len]
    if minor == 0:  # RFC 6101 5.2.3.1
        pad = 48 if name == "md5" else 40
        data = seq.to_bytes(8, "big") + bytes([ctype]) + len(pt).to_bytes(2, "big") + pt
        inner = hashlib.new(name, key + b"\x36" * pad + data).digest()
        return hashlib.new(name, key + b"\x5c" * pad + inner).digest()
    data = (seq.to_bytes(8, "big") + bytes([ctype, 3, minor])
            + len(pt).to_bytes(2, "big") + pt)
    return std_hmac.new(key, data, name).digest()


def cross_check(cipher, enc_key, key_block_iv, minor, etm, mac_len, salt,
                mac_key, ctype, plaintext, fragments, explicit):
    """Decrypts tlslite's fragments with `cryptography` and checks the
    plaintext and the padding rules come back."""
    if cipher == "gcm":
        for s, (ct, pt, frag) in enumerate(zip(ctype, plaintext, fragments)):
            aad = s.to_bytes(8, "big") + bytes([ct, 3, minor]) + len(pt).to_bytes(2, "big")
            nonce = bytes(salt) + bytes(frag[:8])
            assert AESGCM(bytes(enc_key)).decrypt(nonce, bytes(frag[8:]), aad) == pt
        return
    if cipher in ("rc4", "null"):
        data = b"".join(bytes(f) for f in fragments)
        if cipher == "rc4":
            dec = Cipher(ARC4(bytes(enc_key)), mode=None).decryptor()
            data = dec.update(data)
        off = 0
        for seq, (ct, pt, frag) in enumerate(zip(ctype, plaintext, fragments)):
            assert data[off:off + len(pt)] == pt
            got_mac = data[off + len(pt):off + len(frag)]
            assert independent_mac(mac_key, mac_len, minor, seq, ct, pt) == got_mac
            off += len(frag)
        return
    alg = algorithms.AES if cipher == "aes" else TripleDES
    bl = 16 if cipher == "aes" else 8
    iv = bytes(key_block_iv)
    for pt, frag in zip(plaintext, fragments):
        body = bytes(frag[:len(frag) - mac_len]) if etm else bytes(frag)
        if minor >= 2:
            iv, body = body[:bl], body[bl:]
        dec = Cipher(alg(bytes(enc_key)), modes.CBC(iv)).decryptor()
        clear = dec.update(body) + dec.finalize()
        if minor < 2:
            iv = body[-bl:]
        pad = clear[-1]
        assert pad < bl or minor > 0
        assert clear[-pad - 1:] == bytes([pad] * (pad + 1))
        assert clear[:len(pt)] == pt


def vectors():
    groups = []
    tc = 0
    for name, cipher, key_len, bl, mac_hash, mac_len, min_minor in SUITES:
        for minor, vname in enumerate(VERSIONS):
            if minor < min_minor:
                continue
            for etm in ([False, True] if bl and minor > 0 else [False]):
                label = f"{name}/{vname}/etm={etm}"
                mac_key = stream(label + "/mac", mac_len)
                enc_key = stream(label + "/key", key_len)
                # Key block IV: CBC always (tlslite keeps one also for TLS
                # 1.1+), the 4-byte salt for GCM.
                kb_iv_len = bl if bl else (4 if cipher == "gcm" else 0)
                kb_iv = stream(label + "/iv", kb_iv_len)
                salt = kb_iv if cipher == "gcm" else None
                rl = RecordLayer(None)
                rl.version = (3, minor)
                rl.client = True
                rl._writeState = make_state(cipher, enc_key, kb_iv, mac_hash,
                                            mac_key, minor, salt)
                rl._writeState.encryptThenMAC = etm
                if bl and minor >= 2:
                    rl.fixedIVBlock = stream(label + "/fixedIVBlock", bl)
                recs = []
                ctypes, pts, frags, explicit = [], [], [], []
                for i, (ctype, n) in enumerate(RECORDS):
                    pt = stream(f"{label}/pt{i}", n)
                    if cipher == "gcm":
                        frag = rl._encryptThenSeal(bytearray(pt), ctype)
                    elif etm:
                        frag = rl._encryptThenMAC(bytearray(pt), ctype)
                    else:
                        frag = rl._macThenEncrypt(bytearray(pt), ctype)
                    rec = {"seq": i, "contentType": ctype,
                           "plaintext": pt.hex(), "fragment": bytes(frag).hex()}
                    if bl and minor >= 2:
                        rec["explicitIv"] = bytes(frag[:bl]).hex()
                    recs.append(rec)
                    ctypes.append(ctype)
                    pts.append(bytes(pt))
                    frags.append(bytes(frag))
                cross_check(cipher, enc_key, kb_iv, minor, etm, mac_len, salt,
                            bytes(mac_key), ctypes, pts, frags, explicit)
                fixed_iv = kb_iv if (cipher == "gcm" or (bl and minor < 2)) else bytearray()
                keys = {"macKey": mac_key.hex(), "encKey": enc_key.hex(),
                        "fixedIv": fixed_iv.hex()}
                tests = []
                tc += 1
                tests.append({"tcId": tc, "comment": "three records sealed by tlslite-ng",
                              **keys, "records": recs, "result": "valid"})
                # The same records with one bit of the last fragment flipped
                # (its last byte: MAC, tag or padding) must be refused.
                bad = [dict(r) for r in recs]
                last = bytearray.fromhex(bad[-1]["fragment"])
                last[-1] ^= 0x01
                bad[-1]["fragment"] = last.hex()
                tc += 1
                tests.append({"tcId": tc, "comment": "last byte of the third record flipped",
                              **keys, "records": bad, "result": "invalid",
                              "flags": ["ModifiedFragment"]})
                groups.append({"suite": name, "version": vname,
                               "encryptThenMac": etm, "tests": tests})
    return groups, tc


def main():
    groups, n = vectors()
    doc = {
        "algorithm": "TLS record protection (RFC 6101 5.2.3, RFC 5246 6.2.3, RFC 7366)",
        "source": (f"tlslite-ng {tlslite.__version__} RecordLayer with its pure-Python "
                   f"ciphers (implementations=['python']), fixed keys; every valid "
                   f"fragment decrypted again with cryptography {cryptography.__version__} "
                   f"(OpenSSL backend) and its plaintext and padding checked"),
        "generator": "ci/kat/gen_record.py",
        "numberOfTests": n,
        "notes": {
            "seq": "sequence number the record is sealed under; each test starts at 0",
            "explicitIv": "TLS 1.1+ CBC only: the IV block tlslite sent; give it to the "
                          "sealer as its random bytes",
            "fixedIv": "the IV or GCM salt from the key block (empty for TLS 1.1+ CBC)",
            "version": "both the negotiated and the record header version",
            "invalid": "the last record must be refused with bad_record_mac; the ones "
                       "before it open normally",
        },
        "testGroups": groups,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
