'use strict';
// Local HTTPS stand-in for the mail-API providers (test use only).
//
//   [STANDIN_ADDR=127.20.0.1] node standin.js --port 443 --keylog out.keys --log out.requests.ndjson [--tls tls13|tls12-aes128gcm|tls12-chacha20]
//
// One HTTP/2 + HTTP/1.1 server (ALPN h2,http/1.1) with one leaf certificate whose SANs are every provider host in
// hosts.json, signed by a local test CA (pki/). Clients trust the CA through NODE_EXTRA_CA_CERTS and reach this server
// through dns-override.js, so SNI and Host are the real provider names. Each request is answered with a body the
// official client accepts and logged as one JSON line. TLS secrets come from the server's 'keylog' event (undici's
// fetch ignores --tls-keylog on the client side), in NSS key log format, one file per run = per capture.
// Prints "READY <port>" on stdout once listening; exits on SIGTERM/SIGINT.
const fs = require('fs');
const path = require('path');
const http2 = require('http2');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

const HERE = __dirname;
const PKI = path.join(HERE, 'pki');
const HOSTS = require('./hosts.json');

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : def;
}

// Test-only CA + leaf, made once with openssl and committed (so reruns give the same certificate in every capture).
// Delete pki/ to make new ones.
function ensurePki() {
  const ca = path.join(PKI, 'ca.crt');
  const leaf = path.join(PKI, 'leaf.crt');
  if (fs.existsSync(ca) && fs.existsSync(leaf)) return;
  fs.mkdirSync(PKI, { recursive: true });
  const o = (...a) => execFileSync('openssl', a, { cwd: PKI, stdio: ['ignore', 'ignore', 'pipe'] });
  o('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '36500',
    '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=McpEgress test CA (not for production)',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  o('req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', 'leaf.key', '-out', 'leaf.csr',
    '-subj', '/CN=' + HOSTS[0]);
  fs.writeFileSync(path.join(PKI, 'leaf.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
    'subjectAltName=' + HOSTS.map((h) => 'DNS:' + h).concat(['DNS:localhost', 'IP:127.0.0.1', 'IP:127.20.0.1']).join(',') + '\n');
  o('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '36500',
    '-sha256', '-extfile', 'leaf.ext', '-out', 'leaf.crt');
  fs.rmSync(path.join(PKI, 'leaf.csr'));
}

const TLS_PROFILES = {
  // Node 20 default: TLS 1.3, TLS_AES_256_GCM_SHA384 with Node clients.
  tls13: {},
  'tls12-aes128gcm': { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' },
  'tls12-chacha20': { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' },
};

const id = (p) => p + crypto.randomBytes(8).toString('hex');

// A response each official client accepts (shapes from the providers' docs, trimmed).
function respond(host, method, url, body) {
  const json = (status, obj, headers = {}) => ({ status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(obj) });
  const now = new Date().toISOString();
  let parsed = null;
  try { parsed = JSON.parse(body); } catch { /* form or MIME bodies */ }
  switch (host) {
    case 'api.postmarkapp.com': {
      const one = (m) => ({ To: m && m.To, SubmittedAt: now, MessageID: crypto.randomUUID(), ErrorCode: 0, Message: 'OK' });
      return json(200, Array.isArray(parsed) ? parsed.map(one) : one(parsed));
    }
    case 'api.sendgrid.com':
      return { status: 202, headers: { 'x-message-id': id('') }, body: '' };
    case 'api.mailgun.net':
      return json(200, { id: `<${id('')}@mg.corp.example>`, message: 'Queued. Thank you.' });
    case 'email.us-east-1.amazonaws.com':
      if (url.startsWith('/v2/')) return json(200, { MessageId: id('0100') });
      return {
        status: 200, headers: { 'content-type': 'text/xml' },
        body: `<SendEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendEmailResult><MessageId>${id('0100')}</MessageId></SendEmailResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></SendEmailResponse>`,
      };
    case 'api.resend.com':
      if (url.startsWith('/emails/batch')) return json(200, { data: (parsed || []).map(() => ({ id: crypto.randomUUID() })) });
      return json(200, { id: crypto.randomUUID() });
    case 'api.mailjet.com':
      return json(200, { Messages: ((parsed && parsed.Messages) || []).map((m) => ({ Status: 'success', To: (m.To || []).map((t) => ({ Email: t.Email, MessageUUID: crypto.randomUUID(), MessageID: 1, MessageHref: '' })) })) });
    case 'api.brevo.com':
      return json(201, { messageId: `<${id('')}@smtp-relay.mailin.fr>` });
    case 'mandrillapp.com':
      return json(200, ((parsed && parsed.message && parsed.message.to) || []).map((t) => ({ email: t.email, status: 'sent', _id: id('') })));
    case 'api.sparkpost.com':
      return json(200, { results: { total_rejected_recipients: 0, total_accepted_recipients: ((parsed && parsed.recipients) || []).length, id: id('') } });
    case 'api.mailersend.com':
      return { status: 202, headers: { 'x-message-id': id('') }, body: '' };
    case 'graph.microsoft.com':
      return { status: 202, headers: {}, body: '' };
    case 'gmail.googleapis.com':
      return json(200, { id: id(''), threadId: id(''), labelIds: ['SENT'] });
    default:
      return json(404, { error: 'unknown host ' + host });
  }
}

ensurePki();
const port = Number(arg('port', 443));
const profile = arg('tls', 'tls13');
if (!TLS_PROFILES[profile]) throw new Error('unknown --tls ' + profile);
const keylogPath = arg('keylog');
const logPath = arg('log');
const keylog = keylogPath ? fs.openSync(keylogPath, 'w') : null;
const log = logPath ? fs.openSync(logPath, 'w') : null;

const server = http2.createSecureServer({
  key: fs.readFileSync(path.join(PKI, 'leaf.key')),
  cert: fs.readFileSync(path.join(PKI, 'leaf.crt')),
  allowHTTP1: true,
  ...TLS_PROFILES[profile],
});
server.on('keylog', (line) => { if (keylog !== null) fs.writeSync(keylog, line); });
server.on('secureConnection', (s) => {
  if (log !== null) fs.writeSync(log, JSON.stringify({ event: 'tls', sni: s.servername, alpn: s.alpnProtocol, version: s.getProtocol(), cipher: s.getCipher().standardName }) + '\n');
});
server.on('request', (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const host = String(req.headers[':authority'] || req.headers.host || '').replace(/:\d+$/, '').toLowerCase();
    const r = respond(host, req.method, req.url, body);
    if (log !== null) {
      fs.writeSync(log, JSON.stringify({ event: 'request', http: req.httpVersion, host, method: req.method, url: req.url, headers: req.headers, body, status: r.status }) + '\n');
    }
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  });
});
const addr = process.env.STANDIN_ADDR || '127.20.0.1';
server.listen(port, addr, () => process.stdout.write(`READY ${server.address().port} ${profile}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Keep-alive connections would hold close() open; give clients a moment, then leave.
process.on('SIGTERM', () => setTimeout(() => process.exit(0), 300).unref());
