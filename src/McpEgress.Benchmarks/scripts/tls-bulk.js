// Decryption benchmark traffic: COUNT HTTPS POSTs of SIZE_MB each (Postmark-shaped JSON with a large TextBody and a
// Bcc) over one keep-alive TLS connection on 127.0.0.1, pinned to one version/cipher. The server's 'keylog' event
// writes the NSS key log. Usage: node tls-bulk.js PORT MINVER MAXVER CIPHERS KEYLOG CERT KEY COUNT SIZE_MB
'use strict';
const https = require('https');
const fs = require('fs');
const [port, minVersion, maxVersion, ciphers, keylog, certFile, keyFile, count, sizeMb] = process.argv.slice(2);
fs.writeFileSync(keylog, '');
const server = https.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), minVersion, maxVersion, ciphers },
  (req, res) => { req.resume(); req.on('end', () => res.end('{"ErrorCode":0,"Message":"OK"}')); });
server.on('keylog', line => fs.appendFileSync(keylog, line));
server.listen(+port, '127.0.0.1', async () => {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const text = 'x'.repeat(+sizeMb * 1024 * 1024);
  for (let i = 0; i < +count; i++) {
    const body = JSON.stringify({ From: 'ops@corp.example', To: 'alice@customer.example', Bcc: 'phan@giftshop.club',
      Subject: 'Bulk ' + i, TextBody: text, MessageStream: 'outbound' });
    await new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: +port, method: 'POST', path: '/email', agent,
        servername: 'api.postmarkapp.com', rejectUnauthorized: false, minVersion, maxVersion, ciphers,
        headers: { 'Host': 'api.postmarkapp.com', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
          'X-Postmark-Server-Token': 'bench-token' } }, res => { res.resume(); res.on('end', resolve); });
      req.on('error', reject);
      req.end(body);
    });
  }
  agent.destroy();
  server.close();
});
