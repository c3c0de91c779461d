#!/usr/bin/env bash
# Regenerates the TLS test captures in this folder (run as root: tcpdump on lo).
# Each capture: <name>.pcap (one or two TCP flows on 127.0.0.1) + <name>.keys (NSS key log from the server's
# 'keylog' event or openssl -keylogfile). Needs: node 20, openssl, tcpdump, editcap.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.crt" \
  -subj /CN=api.postmarkapp.com -days 3650 2>/dev/null

port=44300
capture() { # name, then the command that makes the traffic on $port
  local name=$1; shift
  tcpdump -i lo -U -s 0 -w "$work/$name.pcap" "tcp port $port" 2>/dev/null &
  local tp=$!
  sleep 1
  "$@"
  sleep 1
  kill "$tp"; wait "$tp" || true
  cp "$work/$name.pcap" "$name.pcap"
}
pair() { # name minver maxver ciphers [flags]
  local name=$1 min=$2 max=$3 ciphers=$4; shift 4
  port=$((port + 1))
  capture "$name" node tls-pair.js "$port" "$min" "$max" "$ciphers" "$name.keys" "$work/server.crt" "$work/server.key" "$@"
}

pair tls13-aes128gcm TLSv1.3 TLSv1.3 TLS_AES_128_GCM_SHA256
pair tls13-aes256gcm TLSv1.3 TLSv1.3 TLS_AES_256_GCM_SHA384
pair tls13-chacha20  TLSv1.3 TLSv1.3 TLS_CHACHA20_POLY1305_SHA256
pair tls12-ecdhe-rsa-aes128gcm  TLSv1.2 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256
pair tls12-ecdhe-rsa-aes256gcm  TLSv1.2 TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384
pair tls12-ecdhe-rsa-chacha20   TLSv1.2 TLSv1.2 ECDHE-RSA-CHACHA20-POLY1305
pair tls12-ecdhe-rsa-aes128-sha     TLSv1.2 TLSv1.2 ECDHE-RSA-AES128-SHA noetm   # MAC-then-encrypt
pair tls12-ecdhe-rsa-aes128-sha-etm TLSv1.2 TLSv1.2 ECDHE-RSA-AES128-SHA          # encrypt_then_mac (RFC 7366)
pair tls12-ecdhe-rsa-aes256-sha384  TLSv1.2 TLSv1.2 ECDHE-RSA-AES256-SHA384 noetm
pair tls12-rsa-aes128-sha256        TLSv1.2 TLSv1.2 AES128-SHA256 noetm
pair tls13-resumed TLSv1.3 TLSv1.3 TLS_AES_128_GCM_SHA256 resume
pair tls12-resumed TLSv1.2 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 resume

# TLS 1.3 KeyUpdate: openssl s_client's "K" line sends KeyUpdate(update_requested), so both sides update.
keyupdate() {
  node tls13-echo-server.js "$port" "$work/server.crt" "$work/server.key" "$work/ku-server.keys" &
  local sp=$!
  sleep 1
  { printf 'before key update\n'; sleep 0.5; printf 'K\n'; sleep 0.5; printf 'after key update\n'; sleep 0.5; } |
    openssl s_client -connect "127.0.0.1:$port" -servername api.postmarkapp.com -tls1_3 \
      -ciphersuites TLS_AES_128_GCM_SHA256 -keylogfile tls13-keyupdate.keys >/dev/null 2>&1 || true
  wait "$sp" || true
}
port=$((port + 1))
capture tls13-keyupdate keyupdate

# TLS 1.3 0-RTT: openssl s_server -early_data; the first s_client saves a ticket, the second resumes with it
# and sends an HTTP request as early data (CLIENT_EARLY_TRAFFIC_SECRET in the key log).
early() {
  openssl s_server -accept "$port" -cert "$work/server.crt" -key "$work/server.key" -tls1_3 -early_data \
    -naccept 2 -quiet >/dev/null 2>&1 &
  local sp=$!
  sleep 1
  rm -f tls13-early-data.keys
  (printf 'first connection\n'; sleep 1) | timeout 5 openssl s_client -connect "127.0.0.1:$port" -tls1_3 \
    -sess_out "$work/sess.pem" -keylogfile tls13-early-data.keys -servername api.postmarkapp.com >/dev/null 2>&1 || true
  printf 'POST /email HTTP/1.1\r\nHost: api.postmarkapp.com\r\nContent-Length: 2\r\n\r\n{}' > "$work/early.txt"
  (sleep 1; printf 'after handshake\n'; sleep 1) | timeout 5 openssl s_client -connect "127.0.0.1:$port" -tls1_3 \
    -sess_in "$work/sess.pem" -early_data "$work/early.txt" -keylogfile tls13-early-data.keys \
    -servername api.postmarkapp.com >/dev/null 2>&1 || true
  wait "$sp" || true
}
port=$((port + 1))
capture tls13-early-data early

# pcapng with the key log embedded as a Decryption Secrets Block (no .keys file next to it on purpose).
editcap --inject-secrets tls,tls13-chacha20.keys tls13-chacha20.pcap tls13-chacha20-dsb.pcapng
ls -l *.pcap *.pcapng *.keys
