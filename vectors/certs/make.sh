#!/bin/sh
# Regenerates the shakedown test certificates in this directory.
#
# Needs the openssl CLI (made with OpenSSL 3.0.19). Keys are fresh RSA 2048
# every run, so the bytes change, but the structure (names, serials, dates,
# extensions) is fixed: every certificate goes through `openssl ca` with
# explicit -startdate/-enddate and a fixed serial. See README.md.
#
# Usage: sh make.sh [DIR]   (run from anywhere; writes next to this script,
# or into DIR). KEY_BITS (default 2048) sets the size of every key:
# vectors/certs/rsa1024 is the same set with 1024-bit keys, for in-memory
# fuzzing where RSA private operations are most of a case's time.
set -eu

KEY_BITS=${KEY_BITS:-2048}
OUT=$(cd "${1:-$(dirname "$0")}" && pwd)
cd "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

START=20240101000000Z   # good certificates: 2024-01-01 .. 2099-12-31
END=20991231235959Z
OLD_START=20000101000000Z  # expired certificate: 2000-01-01 .. 2001-01-01
OLD_END=20010101000000Z

# Extension profiles (RFC 5280 4.2.1).
cat > "$WORK/ext.cnf" <<'CNF'
[root_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[int_ca]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[server_no_keyenc]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# key NAME: a fresh RSA key of KEY_BITS as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY").
key() {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$KEY_BITS" -out "$1.key.pem" 2>/dev/null
}

# sign NAME SUBJECT ISSUER SERIAL PROFILE START END [DIGEST]
# ISSUER "self" makes a self-signed certificate with NAME's own key.
sign() {
    name=$1 subj=$2 issuer=$3 serial=$4 profile=$5 start=$6 end=$7 md=${8:-sha256}
    db="$WORK/db-$name"
    mkdir -p "$db"
    : > "$db/index.txt"
    echo "unique_subject = no" > "$db/index.txt.attr"
    echo "$serial" > "$db/serial"
    cat > "$db/ca.cnf" <<CNF
[ca]
default_ca = this
[this]
database = $db/index.txt
new_certs_dir = $db
serial = $db/serial
policy = any
email_in_dn = no
[any]
organizationName = optional
commonName = supplied
CNF
    openssl req -new -key "$name.key.pem" -subj "$subj" -out "$db/req.pem"
    if [ "$issuer" = self ]; then
        set -- -selfsign -keyfile "$name.key.pem"
    else
        set -- -cert "$issuer.pem" -keyfile "$issuer.key.pem"
    fi
    openssl ca -batch -notext -config "$db/ca.cnf" "$@" -md "$md" \
        -startdate "$start" -enddate "$end" -preserveDN \
        -extfile "$WORK/ext.cnf" -extensions "$profile" \
        -in "$db/req.pem" -out "$name.pem" 2>/dev/null
    openssl x509 -in "$name.pem" -outform DER -out "$name.der"
}

O="/O=shakedown test"

key ca
sign ca "$O/CN=shakedown test root CA" self 01 root_ca $START $END
key int
sign int "$O/CN=shakedown test intermediate CA" ca 02 int_ca $START $END
key server
sign server "$O/CN=localhost" int 03 server $START $END
cat server.pem int.pem > server.chain.pem
# The same server key in PKCS#1 form ("BEGIN RSA PRIVATE KEY"), for loader tests.
openssl pkey -in server.key.pem -traditional -out server.key.pkcs1.pem
key client
sign client "$O/CN=shakedown test client" ca 04 client $START $END

key expired-client
sign expired-client "$O/CN=shakedown expired client" ca 05 client $OLD_START $OLD_END
key server-no-keyenc
sign server-no-keyenc "$O/CN=localhost" int 06 server_no_keyenc $START $END
cat server-no-keyenc.pem int.pem > server-no-keyenc.chain.pem
key server-sha1
sign server-sha1 "$O/CN=localhost" int 07 server $START $END sha1
cat server-sha1.pem int.pem > server-sha1.chain.pem

key untrusted-ca
sign untrusted-ca "$O/CN=shakedown untrusted CA" self 01 root_ca $START $END
key untrusted-server
sign untrusted-server "$O/CN=localhost" untrusted-ca 02 server $START $END
key untrusted-client
sign untrusted-client "$O/CN=shakedown untrusted client" untrusted-ca 03 client $START $END

echo "made: $(ls *.pem | wc -l) PEM files"
