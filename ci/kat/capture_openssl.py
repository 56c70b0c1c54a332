#!/usr/bin/env python3
"""Records real RSA handshakes between `openssl s_server` and `openssl
s_client` on this machine and writes vectors/kat/finished_openssl_handshakes.json.

Unlike gen_kdf.py this is a recording, not a regeneration: every run makes new
randoms, keys and premaster secrets, so rerunning it rewrites every value.
Each case keeps what OpenSSL itself computed and put on the wire:

* every handshake message as sent (`s_client -msg`, decrypted Finished
  included), in order;
* the premaster and master secret (`s_client -keylogfile`: the `RSA` and
  `CLIENT_RANDOM` lines);
* the client and server Finished verify_data (the last 12 bytes of each
  Finished message).

Usage (from the repository root): python3 ci/kat/capture_openssl.py
"""

import json
import os
import pathlib
import re
import socket
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "vectors" / "kat" / "finished_openssl_handshakes.json"
OPENSSL_VERSION = subprocess.run(
    ["openssl", "version"], check=True, capture_output=True, text=True
).stdout.strip()

# (version flag, vector version, cipher list, extended master secret)
CASES = [
    ("-tls1", "tls1.0", "AES128-SHA:@SECLEVEL=0", True),
    ("-tls1", "tls1.0", "AES256-SHA:@SECLEVEL=0", False),
    ("-tls1_1", "tls1.1", "AES256-SHA:@SECLEVEL=0", True),
    ("-tls1_2", "tls1.2", "AES128-SHA256", True),
    ("-tls1_2", "tls1.2", "AES128-SHA256", False),
    ("-tls1_2", "tls1.2", "AES256-GCM-SHA384", True),
    ("-tls1_2", "tls1.2", "AES256-GCM-SHA384", False),
]

NO_EMS_CONF = """openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = -ExtendedMasterSecret
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_msgs(log):
    """Handshake messages from `-msg` output, as (direction, name, bytes)."""
    msgs = []
    cur = None
    for line in log.splitlines():
        m = re.match(r"^(>>>|<<<) \S+ \S+, Handshake \[length [0-9a-f]+\], (\w+)", line)
        if m:
            cur = [m.group(1), m.group(2), bytearray()]
            msgs.append(cur)
            continue
        if cur is not None and re.match(r"^    ([0-9a-f]{2} ?)+$", line):
            cur[2] += bytes.fromhex(line.strip())
            continue
        cur = None
    return [(d, n, bytes(b)) for d, n, b in msgs]


def capture(tmp, vflag, cipher, ems):
    port = free_port()
    env = dict(os.environ)
    if not ems:
        conf = tmp / "no_ems.cnf"
        conf.write_text(NO_EMS_CONF)
        env["OPENSSL_CONF"] = str(conf)
    server = subprocess.Popen(
        ["openssl", "s_server", "-accept", str(port), "-cert", str(tmp / "cert.pem"),
         "-key", str(tmp / "key.pem"), vflag, "-cipher", cipher, "-naccept", "1", "-quiet",
         "-no_ticket"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    try:
        time.sleep(0.5)
        keylog = tmp / "keylog.txt"
        keylog.unlink(missing_ok=True)
        client = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", vflag, "-cipher", cipher,
             "-msg", "-keylogfile", str(keylog), "-no_ticket"],
            input=b"", capture_output=True, timeout=10, env=env,
        )
    finally:
        server.wait(timeout=10)
    log = client.stdout.decode()
    if not keylog.exists():
        raise SystemExit(f"{vflag} {cipher} ems={ems}: no key log\n{log[-800:]}\n{client.stderr.decode()[-800:]}")
    msgs = parse_msgs(log)
    keys = keylog.read_text().split("\n")
    pms = next(l.split()[2] for l in keys if l.startswith("RSA "))
    ms = next(l.split()[2] for l in keys if l.startswith("CLIENT_RANDOM "))
    names = [n for _, n, _ in msgs]
    assert names[0] == "ClientHello" and names.count("Finished") == 2, names
    # The vector records what s_client reports as negotiated rather than
    # trusting the configuration.
    negotiated_ems = re.search(r"Extended master secret: (yes|no)", log).group(1) == "yes"
    assert negotiated_ems == ems, (cipher, ems)
    suite = re.search(r"Cipher\s+:\s+(\S+)", log).group(1)
    return {
        "suite": suite,
        "extendedMasterSecret": ems,
        "messages": [{"from": "client" if d == ">>>" else "server", "type": n, "raw": b.hex()}
                     for d, n, b in msgs],
        "premaster": pms,
        "masterSecret": ms,
        "clientVerifyData": [b for _, n, b in msgs if n == "Finished"][0][4:].hex(),
        "serverVerifyData": [b for _, n, b in msgs if n == "Finished"][1][4:].hex(),
    }


def main():
    with tempfile.TemporaryDirectory() as d:
        tmp = pathlib.Path(d)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp / "key.pem"),
             "-out", str(tmp / "cert.pem"), "-days", "30", "-subj", "/CN=shakedown-kat"],
            check=True, capture_output=True,
        )
        tests = []
        for i, (vflag, version, cipher, ems) in enumerate(CASES, start=1):
            case = capture(tmp, vflag, cipher, ems)
            tests.append({"tcId": i, "comment": f"{version} {case['suite']} ems={ems}",
                          "version": version, **case, "result": "valid"})
            print(tests[-1]["comment"])
    doc = {
        "algorithm": "RecordedHandshake",
        "specification": "RFC 2246 7.4.9, RFC 5246 7.4.9, RFC 5246 8.1, RFC 7627 4",
        "source": f"{OPENSSL_VERSION}: openssl s_server / s_client -msg -keylogfile, recorded on one machine",
        "generator": "ci/kat/capture_openssl.py",
        "notes": {"messages": "every handshake message in wire order, header included (Finished decrypted)",
                  "masterSecret": "from the key log; the extended master secret when extendedMasterSecret",
                  "recording": "rerunning the script records new handshakes with new values"},
        "numberOfTests": len(tests),
        "testGroups": [{"type": "RecordedHandshakeTest",
                        "source": f"{OPENSSL_VERSION} s_server and s_client over loopback",
                        "tests": tests}],
    }
    OUT.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(tests)} tests")


if __name__ == "__main__":
    main()
