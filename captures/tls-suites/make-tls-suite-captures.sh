#!/usr/bin/env bash
# Records one SMTP-over-TLS session per legacy TLS version / cipher suite (TLS 1.0, 1.1, CAMELLIA, ARIA, NULL,
# SEED with OpenSSL 3.0 through Python's ssl; 3DES, RC4, CAMELLIA-GCM with GnuTLS 3.7) on loopback.
# Run as root (tcpdump on lo). Needs python3 (ssl = OpenSSL 3.0), gnutls-bin (gnutls-cli, libgnutls), tcpdump,
# tshark, openssl. Every NAME.pcap gets its NSS key log NAME.keys; NAME.expected.json is hand-written and
# never touched. ONLY=name,name records just those. Afterwards: python3 ../scripts/verify-captures.py tls-suites/*.expected.json
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SCRIPTS=$HERE/../scripts
WORK=$(mktemp -d /tmp/mcp-tls-suites.XXXXXX)
CAP_PID="" SRV_PID=""
cleanup() {
    [[ -n "$CAP_PID" ]] && kill -INT "$CAP_PID" 2>/dev/null && wait "$CAP_PID" 2>/dev/null || true
    [[ -n "$SRV_PID" ]] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$HERE"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mx.sink.test" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

# OpenSSL 3.0 keeps SEED in the legacy provider; this config loads it beside the default provider (and
# replaces Debian's system config, whose MinProtocol/SECLEVEL would refuse TLS 1.0/1.1).
cat >"$WORK/openssl.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
EOF
export OPENSSL_CONF=$WORK/openssl.cnf

start_capture() { # FILE PORT
    rm -f "$1"
    : >"$WORK/cap.log"
    tcpdump -i lo -U --immediate-mode -w "$1" "tcp port $2" 2>"$WORK/cap.log" &
    CAP_PID=$!
    for _ in $(seq 100); do grep -qi 'listening on' "$WORK/cap.log" && break; sleep 0.05; done
    sleep 0.2
}
stop_capture() {
    sleep 0.3
    kill -INT "$CAP_PID"; wait "$CAP_PID" || true
    CAP_PID=""
}
responder() { # PORT ARGS...
    local port=$1; shift
    rm -f "$WORK/ready"
    python3 "$SCRIPTS/tls-smtp-responder.py" "$port" "$WORK/ready" --cert "$WORK/cert.pem" --key "$WORK/key.pem" "$@" 2>"$WORK/srv.log" &
    SRV_PID=$!
    for _ in $(seq 100); do [[ -f "$WORK/ready" ]] && break; sleep 0.05; done
}
finish() { # NAME: wait for the responder, check the key log and that tshark sees no TCP hole
    wait "$SRV_PID" || { cat "$WORK/srv.log"; exit 1; }
    SRV_PID=""
    stop_capture
    grep -aq '^tls:' "$WORK/srv.log" || { cat "$WORK/srv.log"; echo "$1: no TLS" >&2; exit 1; }
    echo "  $(grep -a '^tls:' "$WORK/srv.log")"
    [[ -s "$1.keys" ]] || { echo "$1: empty key log" >&2; exit 1; }
    local holes
    holes=$(tshark -r "$1.pcap" -Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment' 2>/dev/null | wc -l)
    [[ "$holes" -eq 0 ]] || { echo "$1: capture has a hole, run again" >&2; exit 1; }
}

# openssl NAME PORT MODE VERSION CIPHERS [noetm]: Python smtplib client, Python ssl responder (both OpenSSL 3.0).
selected() { [[ -z "${ONLY:-}" || ",$ONLY," == *",$1,"* ]]; }

openssl_session() {
    local name=$1 port=$2 mode=$3 version=$4 ciphers=$5 etm=${6:-}
    selected "$name" || return 0
    echo "$name"
    rm -f "$name.keys"
    start_capture "$name.pcap" "$port"
    responder "$port" --mode "$mode" --backend openssl --version "$version" --ciphers "$ciphers" ${etm:+--noetm}
    python3 -W ignore::DeprecationWarning "$SCRIPTS/tls-smtp-client.py" "$port" "$mode" "$version" "$ciphers" \
        "$name.keys" "Invoice over $name" $etm
    finish "$name"
    sed -i '/^#/d' "$name.keys" # OpenSSL's comment line; tshark and we ignore it anyway
}

# gnutls NAME PORT PRIORITY: gnutls-cli (implicit TLS, SMTP dialogue from stdin with pauses) against the
# GnuTLS responder; gnutls-cli writes the key log through SSLKEYLOGFILE.
gnutls_session() {
    local name=$1 port=$2 priority=$3
    selected "$name" || return 0
    echo "$name"
    rm -f "$name.keys"
    start_capture "$name.pcap" "$port"
    responder "$port" --mode implicit --backend gnutls --priority "$priority"
    # gnutls-cli sends what it reads from stdin as it is: every line ends in CRLF here (its --crlf option only
    # converts the last LF of each read, which broke the DATA terminator).
    {
        for line in "EHLO client.corp.example" "MAIL FROM:<billing@corp.example>" "RCPT TO:<customer@client.example>" \
            "RCPT TO:<phan@giftshop.club>" "DATA"; do
            sleep 0.3; printf '%s\r\n' "$line"
        done
        sleep 0.3
        printf 'From: Billing <billing@corp.example>\r\nTo: Customer <customer@client.example>\r\n'
        printf 'Subject: Invoice over %s\r\nMessage-ID: <tls-suite@corp.example>\r\n\r\n' "$name"
        printf 'Your invoice is attached.\r\n.\r\n'
        sleep 0.3; printf 'QUIT\r\n'; sleep 0.5
    } | SSLKEYLOGFILE=$PWD/$name.keys timeout 20 gnutls-cli --insecure --priority "$priority" -p "$port" 127.0.0.1 \
        >"$WORK/cli.log" 2>&1 || { cat "$WORK/cli.log"; exit 1; }
    finish "$name"
}

# TLS 1.0 / 1.1: MD5 xor SHA-1 PRF; TLS 1.0 CBC chains the IV (and OpenSSL sends an empty record first).
openssl_session tls10-ecdhe-rsa-aes128-sha         3601 starttls TLSv1   'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' noetm
openssl_session tls11-ecdhe-rsa-aes256-sha-etm     3602 starttls TLSv1_1 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0'
# CAMELLIA (RFC 5932), ARIA-GCM (RFC 6209), NULL (RFC 5246), SEED (RFC 4162, legacy provider)
openssl_session tls12-ecdhe-rsa-camellia128-sha256 3603 starttls TLSv1_2 'ECDHE-RSA-CAMELLIA128-SHA256:@SECLEVEL=0' noetm
openssl_session tls11-rsa-camellia256-sha-etm      3604 implicit TLSv1_1 'CAMELLIA256-SHA:@SECLEVEL=0'
openssl_session tls12-ecdhe-rsa-aria128-gcm        3605 starttls TLSv1_2 'ECDHE-ARIA128-GCM-SHA256:@SECLEVEL=0'
openssl_session tls12-rsa-aria256-gcm-sha384       3606 implicit TLSv1_2 'ARIA256-GCM-SHA384:@SECLEVEL=0'
openssl_session tls12-rsa-null-sha256              3607 implicit TLSv1_2 'NULL-SHA256:@SECLEVEL=0'
openssl_session tls12-rsa-seed-sha                 3608 starttls TLSv1_2 'SEED-SHA:@SECLEVEL=0' noetm
# GnuTLS: 3DES-EDE-CBC (8-byte blocks, chained IV in TLS 1.0), RC4 with HMAC-SHA1 and HMAC-MD5, CAMELLIA-GCM
gnutls_session tls10-ecdhe-rsa-3des-sha-etm 3609 'NORMAL:-CIPHER-ALL:+3DES-CBC:-VERS-ALL:+VERS-TLS1.0'
gnutls_session tls12-rsa-rc4-sha          3610 'NORMAL:-CIPHER-ALL:+ARCFOUR-128:-MAC-ALL:+SHA1:-KX-ALL:+RSA:-VERS-ALL:+VERS-TLS1.2'
gnutls_session tls11-rsa-rc4-md5          3611 'NORMAL:-CIPHER-ALL:+ARCFOUR-128:-MAC-ALL:+MD5:-KX-ALL:+RSA:-VERS-ALL:+VERS-TLS1.1'
gnutls_session tls12-ecdhe-rsa-camellia128-gcm 3612 'NORMAL:-CIPHER-ALL:+CAMELLIA-128-GCM:-VERS-ALL:+VERS-TLS1.2'

ls -l ./*.pcap ./*.keys
