'use strict';
// sparkpost 2.x (`request` lib): transmissions.send with the cc/bcc convenience, which turns cc and bcc into extra
// recipients carrying header_to (and adds a CC header). Default origin https://api.sparkpost.com.
const SparkPost = require('sparkpost');

const KEY = '5f2c9e1d7a3b8f4e6c0d2a9b1e7f3c5d8a4b6e2f';

async function main() {
  const sp = new SparkPost(KEY);
  await sp.transmissions.send({
    content: { from: 'Billing <billing@corp.example>', subject: 'Statement for October', text: 'Your statement is ready.' },
    recipients: [{ address: { email: 'leo@client.example', name: 'Leo' } }],
    cc: [{ address: { email: 'mia@client.example', name: 'Mia' } }],
    bcc: [{ address: { email: 'nora@outside-audit.example' } }],
  });
}
main().then(() => console.log('sparkpost: 1 request sent'), (e) => { console.error(e); process.exit(1); });
