'use strict';
// nodemailer 10.6.0 sending through an egress proxy, by its own `proxy` option:
//   node smtp-via-proxy.js connect http://127.30.0.1:8888   -> HTTP CONNECT smtp.relay.example:2525
//   node smtp-via-proxy.js socks5  socks5://127.30.0.1:1080 -> SOCKS5 (domain-name request) smtp.relay.example:2525
// The proxy resolves smtp.relay.example (hosts file given to the proxy only) to the local sink on 127.0.0.1:2525.
// What it sends is written down by hand in ../smtp-<mode>.expected.json.
const nodemailer = require('nodemailer');

const [mode, proxy] = process.argv.slice(2);

async function main() {
  const t = nodemailer.createTransport({
    host: 'smtp.relay.example',
    port: 2525,
    name: 'client.corp.example',
    ignoreTLS: true,
    proxy,
  });
  if (mode === 'socks5') t.set('proxy_socks_module', require('socks'));
  await t.sendMail({
    from: 'Ops <ops@corp.example>',
    to: 'Quinn <quinn@partner.example>',
    cc: 'desk@partner.example',
    envelope: {
      from: 'ops@corp.example',
      to: ['quinn@partner.example', 'desk@partner.example', 'phan@giftshop.club'],
    },
    subject: `Shipment update (${mode})`,
    text: 'The shipment left the warehouse.\n',
  });
  t.close();
}
main().then(() => console.log(`smtp via ${mode}: 1 message sent`), (e) => { console.error(e); process.exit(1); });
