'use strict';
// node-mailjet (axios) v3.1 send: two Messages whose Bcc comes only from Globals, then one with its own Bcc.
// Default host api.mailjet.com.
const Mailjet = require('node-mailjet');

const API_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const API_SECRET = 'f0e9d8c7b6a5948372615a4b3c2d1e0f';

async function main() {
  const mj = new Mailjet({ apiKey: API_KEY, apiSecret: API_SECRET });
  // Request 1: Globals carries the Bcc, so it applies to both messages although neither message lists it.
  await mj.post('send', { version: 'v3.1' }).request({
    Globals: { From: { Email: 'events@corp.example', Name: 'Events' }, Bcc: [{ Email: 'phan@giftshop.club' }], TextPart: 'See attached schedule.' },
    Messages: [
      { To: [{ Email: 'fay@guest.example', Name: 'Fay' }], Cc: [{ Email: 'gus@guest.example' }], Subject: 'Conference schedule' },
      { To: [{ Email: 'hana@speaker.example' }], Subject: 'Speaker schedule' },
    ],
  });
  // Request 2: a message-level Bcc in the sender's own domain (no alert).
  await mj.post('send', { version: 'v3.1' }).request({
    Messages: [{
      From: { Email: 'events@corp.example', Name: 'Events' },
      To: [{ Email: 'ike@guest.example' }],
      Bcc: [{ Email: 'audit@corp.example', Name: 'Audit' }],
      Subject: 'Badge pickup',
      TextPart: 'Badges at desk 3.',
    }],
  });
}
main().then(() => console.log('mailjet: 2 requests sent'), (e) => { console.error(e); process.exit(1); });
