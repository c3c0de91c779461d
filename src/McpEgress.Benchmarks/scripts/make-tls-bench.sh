#!/usr/bin/env bash
# Makes the TLS decryption benchmark captures (not committed: ~200 MB each) into DIR (default bench-data/ at the
# repo root, git-ignored): one per cipher suite, each COUNT x SIZE_MB HTTPS POSTs on one connection, with key logs.
# Needs root (tcpdump), node and openssl.  Usage: make-tls-bench.sh [DIR] [COUNT] [SIZE_MB]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-$here/../../../bench-data}"; count="${2:-50}"; size="${3:-4}"
mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=api.postmarkapp.com -days 2 \
  -keyout "$dir/bench.key" -out "$dir/bench.crt" 2>/dev/null
run() { # name minver maxver ciphers port
  local name=$1 port=$5
  tcpdump -i lo -B 262144 -w "$dir/tls-$name.pcap" -s 0 "tcp port $port" 2>/dev/null & local td=$!
  sleep 1
  node "$here/tls-bulk.js" "$port" "$2" "$3" "$4" "$dir/tls-$name.keys" "$dir/bench.crt" "$dir/bench.key" "$count" "$size"
  sleep 1; kill -INT $td; wait $td || true
  echo "tls-$name.pcap: $(stat -c %s "$dir/tls-$name.pcap") bytes"
}
run tls13-aes128gcm TLSv1.3 TLSv1.3 TLS_AES_128_GCM_SHA256 9441
run tls13-chacha20 TLSv1.3 TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 9442
run tls12-aes256gcm TLSv1.2 TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 9443
run tls12-aes128-sha256-cbc TLSv1.2 TLSv1.2 ECDHE-RSA-AES128-SHA256 9444
