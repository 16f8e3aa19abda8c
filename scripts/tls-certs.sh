#!/usr/bin/env bash
# Writes throwaway certificates for TLS tests and benchmarks into DIR (created if needed):
#   ca.pem              a certificate authority the clients trust
#   server.pem/.key     signed by it, for localhost and 127.0.0.1, valid for 30 days
#   expired.pem/.key    signed by it, for the same names, expired in 2020
#   client.pem/.key     a client certificate signed by it (mutual TLS)
#   other-ca.pem        an unrelated authority (a client trusting only it refuses server.pem)
# Keys are EC P-256 without a passphrase. Usage: scripts/tls-certs.sh DIR
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir="$1"
mkdir -p "$dir"
cd "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
authority() { # NAME CN
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 30 -out "$1.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
authority ca "LLMCache test CA"
authority other-ca "LLMCache unrelated CA"

# `openssl ca` takes explicit validity dates, which the expired certificate needs.
mkdir -p "$work/db"
: >"$work/db/index.txt"
echo 01 >"$work/db/serial"
cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $work/db/index.txt
serial = $work/db/serial
new_certs_dir = $work/db
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[anything]
commonName = supplied
CNF
issue() { # NAME CN EXTENSIONS START END
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/CN=$2" -addext "$3" -out "$work/$1.csr" 2>/dev/null
    openssl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile ca.key -in "$work/$1.csr" -out "$1.pem" \
        -startdate "$4" -enddate "$5" -notext 2>/dev/null
}
now="$(date -u -d '-1 hour' +%Y%m%d%H%M%SZ)"
later="$(date -u -d '+30 days' +%Y%m%d%H%M%SZ)"
issue server localhost "subjectAltName=DNS:localhost,IP:127.0.0.1" "$now" "$later"
issue expired localhost "subjectAltName=DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200201000000Z
issue client "llmcache client" "extendedKeyUsage=clientAuth" "$now" "$later"
rm -f ca.key other-ca.key
echo "$dir"
