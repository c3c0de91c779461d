// One HTTPS POST (Postmark-like JSON with a Bcc) over TLS on 127.0.0.1, pinned to one version/cipher.
// Usage: node tls-pair.js PORT MINVER MAXVER CIPHERS KEYLOG CERT KEY [noetm] [resume] [noticket]
// The server's 'keylog' event writes the NSS key log (SSLKEYLOGFILE format) to KEYLOG.
'use strict';
const tls = require('tls');
const https = require('https');
const fs = require('fs');
const crypto = require('crypto');

const [port, minVersion, maxVersion, ciphers, keylog, certFile, keyFile, ...flags] = process.argv.slice(2);
const noEtm = flags.includes('noetm');
const resume = flags.includes('resume');
fs.writeFileSync(keylog, '');

let secureOptions = 0;
if (noEtm) secureOptions |= crypto.constants.SSL_OP_NO_ENCRYPT_THEN_MAC;
if (flags.includes('noticket')) secureOptions |= crypto.constants.SSL_OP_NO_TICKET;

const server = https.createServer({
  key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile),
  minVersion, maxVersion, ciphers, secureOptions, ALPNProtocols: ['http/1.1'],
}, (req, res) => {
  let body = '';
  req.on('data', d => body += d);
  req.on('end', () => {
    const msg = JSON.parse(body);
    const out = JSON.stringify({ To: msg.To, SubmittedAt: '2025-09-25T10:00:00Z', MessageID: 'b7bc2f4a-e38e-4336-af7d-e6c392c2f817', ErrorCode: 0, Message: 'OK' });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out), 'Connection': 'close' });
    res.end(out);
  });
});
server.on('keylog', line => fs.appendFileSync(keylog, line));

function post(session) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ From: 'ops@example.com', To: 'alice@example.com', Bcc: 'phan@giftshop.club',
      Subject: 'Invoice ' + (session ? '2' : '1'), TextBody: 'Please find the invoice attached.', MessageStream: 'outbound' });
    const sock = tls.connect({ host: '127.0.0.1', port: +port, servername: 'api.postmarkapp.com', rejectUnauthorized: false,
      minVersion, maxVersion, ciphers, ALPNProtocols: ['h2', 'http/1.1'], session });
    let saved = null, resp = '', reused = false;
    sock.on('session', s => { saved = s; });
    sock.on('secureConnect', () => {
      reused = sock.isSessionReused();
      sock.write('POST /email HTTP/1.1\r\nHost: api.postmarkapp.com\r\nAccept: application/json\r\n' +
        'Content-Type: application/json\r\nX-Postmark-Server-Token: 00000000-0000-0000-0000-000000000000\r\n' +
        'Content-Length: ' + Buffer.byteLength(body) + '\r\n\r\n' + body);
    });
    sock.on('data', d => resp += d);
    sock.on('end', () => { sock.end(); });
    sock.on('close', () => resolve({ saved, resumed: reused, resp }));
    sock.on('error', reject);
  });
}

server.listen(+port, '127.0.0.1', async () => {
  try {
    const first = await post(undefined);
    let second = null;
    if (resume) second = await post(first.saved);
    console.error(`ok ${minVersion}-${maxVersion} ${ciphers} resumed=${second ? second.resumed : '-'}`);
  } catch (e) { console.error('FAIL', e); process.exitCode = 1; }
  server.close();
});
