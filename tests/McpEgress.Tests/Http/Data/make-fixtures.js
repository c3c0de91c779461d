// Makes the HTTP capture fixtures used by HttpCaptureFixtureTests.
// Run: node make-fixtures.js   (Node 20, no packages). Writes *.bin (byte streams) and *.json (what was sent).
//
// A local server (h2c via http2.createServer, or HTTP/1.1 via http.createServer) sits behind a recording TCP proxy.
// The proxy writes every chunk it relays, in arrival order, as: 1 byte direction (0 = client->server,
// 1 = server->client), 4 bytes big-endian length, then the bytes. Tokens below are fake.
'use strict';
const net = require('net');
const http = require('http');
const http2 = require('http2');
const zlib = require('zlib');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const describe = (body) => ({ length: Buffer.byteLength(body), sha256: crypto.createHash('sha256').update(body).digest('hex'), start: body.slice(0, 60) });

function recordingProxy(upstreamPort, file) {
  const chunks = [];
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    const rec = (dir) => (buf) => {
      const head = Buffer.alloc(5);
      head[0] = dir;
      head.writeUInt32BE(buf.length, 1);
      chunks.push(head, Buffer.from(buf));
    };
    client.on('data', rec(0));
    upstream.on('data', rec(1));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    finish: () => new Promise((r) => setTimeout(() => {
      fs.writeFileSync(file, Buffer.concat(chunks));
      server.close();
      r(connections);
    }, 200)),
  })));
}

async function h2c() {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const parts = [];
    stream.on('data', (d) => parts.push(d));
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ ErrorCode: 0, Message: 'OK', bytes: Buffer.concat(parts).length }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const proxy = await recordingProxy(server.address().port, path.join(__dirname, 'h2c-posts.bin'));
  const client = http2.connect(`http://127.0.0.1:${proxy.port}`);
  const sent = [];
  const bodies = [
    { From: 'a@example.com', To: 'b@example.org', Subject: 'one', TextBody: 'hello' },
    { From: 'a@example.com', To: 'c@example.org', Bcc: 'phan@giftshop.club', Subject: 'two', TextBody: 'x'.repeat(20000) },
    [{ From: 'a@example.com', To: 'd@example.org', Subject: 'batch' }],
    { From: 'a@example.com', To: 'e@example.org', Subject: 'four', HtmlBody: '<p>' + 'y'.repeat(3000) + '</p>' },
    { From: 'a@example.com', To: 'f@example.org', Subject: 'five' },
  ];
  const paths = ['/email', '/email', '/email/batch', '/email/withTemplate', '/email'];
  await Promise.all(bodies.map((b, i) => new Promise((resolve, reject) => {
    const body = JSON.stringify(b);
    const req = client.request({
      ':method': 'POST', ':path': paths[i], ':authority': 'api.postmarkapp.com',
      'content-type': 'application/json', accept: 'application/json',
      'x-postmark-server-token': 'fake-server-token-0123456789',
    });
    sent.push({ method: 'POST', path: paths[i], authority: 'api.postmarkapp.com', status: 200, ...describe(body) });
    req.on('response', () => {});
    req.on('data', () => {});
    req.on('end', resolve);
    req.on('error', reject);
    req.end(body);
  })));
  client.close();
  await new Promise((r) => setTimeout(r, 100));
  const connections = await proxy.finish();
  server.close();
  fs.writeFileSync(path.join(__dirname, 'h2c-posts.json'), JSON.stringify({ connections, requests: sent }, null, 1));
}

async function h1gzip() {
  const server = http.createServer((req, res) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const body = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'msg-' + body.length }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const proxy = await recordingProxy(server.address().port, path.join(__dirname, 'h1-gzip-keepalive.bin'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sent = [];
  const messages = [
    { personalizations: [{ to: [{ email: 'b@example.org' }], bcc: [{ email: 'phan@giftshop.club' }] }], from: { email: 'a@example.com' }, subject: 'one' },
    { personalizations: [{ to: [{ email: 'c@example.org' }] }], from: { email: 'a@example.com' }, subject: 'two', content: [{ type: 'text/plain', value: 'z'.repeat(20000) }] },
    { personalizations: [{ to: [{ email: 'd@example.org' }] }], from: { email: 'a@example.com' }, subject: 'three' },
  ];
  for (const m of messages) {
    const body = JSON.stringify(m);
    const gz = zlib.gzipSync(body);
    await new Promise((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1', port: proxy.port, method: 'POST', path: '/v3/mail/send', agent,
        headers: {
          host: 'api.sendgrid.com', 'content-type': 'application/json', 'content-encoding': 'gzip',
          'content-length': gz.length, authorization: 'Bearer SG.fake-key-abcdefghijklmnop',
        },
      }, (res) => { res.resume(); res.on('end', resolve); });
      req.on('error', reject);
      req.end(gz);
    });
    sent.push({ method: 'POST', path: '/v3/mail/send', authority: 'api.sendgrid.com', status: 202, ...describe(body) });
  }
  agent.destroy();
  const connections = await proxy.finish();
  server.close();
  fs.writeFileSync(path.join(__dirname, 'h1-gzip-keepalive.json'), JSON.stringify({ connections, requests: sent }, null, 1));
}

(async () => {
  await h2c();
  await h1gzip();
})().catch((e) => { console.error(e); process.exit(1); });
