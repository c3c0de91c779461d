// TLS 1.3 echo server for the KeyUpdate capture (openssl s_client drives the KeyUpdate with its 'K' command).
// Usage: node tls13-echo-server.js PORT CERT KEY KEYLOG
'use strict';
const tls = require('tls');
const fs = require('fs');
const [port, certFile, keyFile, keylog] = process.argv.slice(2);
fs.writeFileSync(keylog, '');
const server = tls.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile),
  minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' }, s => {
  s.on('data', d => s.write('echo: ' + d));
  s.on('end', () => { s.end(); server.close(); });
  s.on('error', () => {});
});
server.on('keylog', line => fs.appendFileSync(keylog, line));
server.listen(+port, '127.0.0.1');
