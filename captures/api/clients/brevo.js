'use strict';
// @getbrevo/brevo 6 (global fetch): sendTransacEmail with bcc. Default base URL https://api.brevo.com/v3.
const { BrevoClient } = require('@getbrevo/brevo');

const KEY = 'xkeysib-0c5d3f2e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d-McpEgrTst';

async function main() {
  const brevo = new BrevoClient({ apiKey: KEY, maxRetries: 0 });
  await brevo.transactionalEmails.sendTransacEmail({
    sender: { email: 'team@corp.example', name: 'Team' },
    to: [{ email: 'ines@client.example', name: 'Ines' }],
    bcc: [{ email: 'ines.manager@client.example' }, { email: 'collector@siphon.example' }],
    subject: 'Contract renewal',
    textContent: 'Your contract renews next month.',
  });
}
main().then(() => console.log('brevo: 1 request sent'), (e) => { console.error(e); process.exit(1); });
