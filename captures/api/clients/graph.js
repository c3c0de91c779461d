'use strict';
// @microsoft/microsoft-graph-client (global fetch): POST /v1.0/me/sendMail with bccRecipients.
// Default base URL https://graph.microsoft.com/.
const { Client } = require('@microsoft/microsoft-graph-client');

const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJ1cG4iOiJwYXVsQGNvcnAuZXhhbXBsZSIsInRlc3QiOiJtY3AtZWdyZXNzIn0.';

async function main() {
  const client = Client.init({ authProvider: (done) => done(null, TOKEN) });
  await client.api('/me/sendMail').post({
    message: {
      subject: 'Board minutes',
      body: { contentType: 'Text', content: 'Minutes attached.' },
      from: { emailAddress: { address: 'paul@corp.example', name: 'Paul' } },
      toRecipients: [{ emailAddress: { address: 'rita@board.example', name: 'Rita' } }],
      ccRecipients: [{ emailAddress: { address: 'sol@board.example' } }],
      bccRecipients: [
        { emailAddress: { address: 'minutes@corp.example' } },
        { emailAddress: { address: 'board-secretary@sub.board.example' } },
      ],
    },
    saveToSentItems: false,
  });
}
main().then(() => console.log('graph: 1 request sent'), (e) => { console.error(e); process.exit(1); });
