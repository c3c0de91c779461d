'use strict';
// An HTTP/2 CONNECT tunnel (RFC 9113 §8.5) made by Node's own http2 client, with a Postmark send inside it:
//   node h2-connect-client.js http://127.30.0.1:3128
// h2c with prior knowledge to the proxy (nghttpx --http2-proxy, no TLS on its frontend), CONNECT
// api.postmarkapp.com:443 on one stream, TLS (Node tls, real SNI, test CA via NODE_EXTRA_CA_CERTS) over that stream,
// then an HTTPS POST /email with the Postmark JSON and the X-Postmark-Server-Token header, as the postmark client
// sends it. No npm client tunnels through an h2 proxy, so the request is made with Node's https module here.
// What it sends is written down by hand in postmark-h2-connect.expected.json.
const http2 = require('http2');
const https = require('https');
const tls = require('tls');

const proxy = process.argv[2];
const TOKEN = 'pm-srv-5b8e1c07-2d94-4f3a-a6e0-91c4d7f2b388';

function tunnel() {
  return new Promise((resolve, reject) => {
    const session = http2.connect(proxy);
    session.on('error', reject);
    const stream = session.request({ ':method': 'CONNECT', ':authority': 'api.postmarkapp.com:443' });
    stream.on('response', (headers) => {
      if (headers[':status'] !== 200) return reject(new Error('proxy said ' + headers[':status']));
      resolve({ session, stream });
    });
    stream.on('error', reject);
  });
}

function post(stream, body) {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: 'api.postmarkapp.com', port: 443, method: 'POST', path: '/email',
      headers: { 'Accept': 'application/json', 'Content-Type': 'application/json',
                 'X-Postmark-Server-Token': TOKEN, 'Content-Length': Buffer.byteLength(body) },
      createConnection: () => tls.connect({ socket: stream, servername: 'api.postmarkapp.com', ALPNProtocols: ['http/1.1'] }),
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const { session, stream } = await tunnel();
  const status = await post(stream, JSON.stringify({
    From: 'notify@corp.example',
    To: 'Sam Lee <sam@client.example>',
    Bcc: 'phan@giftshop.club',
    Subject: 'Your order shipped',
    TextBody: 'Order 5521 is on its way.',
    MessageStream: 'outbound',
  }));
  session.close();
  return status;
}
main().then((s) => console.log('h2 CONNECT: POST /email ->', s), (e) => { console.error(e); process.exit(1); });
