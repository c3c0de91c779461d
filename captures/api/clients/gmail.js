'use strict';
// googleapis gmail users.messages.send with {raw} (base64url RFC 822 with a Bcc header inside).
//   node gmail.js        - one send over HTTP/1.1 (gaxios -> node-fetch)
//   node gmail.js h2     - three concurrent sends with {http2:true}: one HTTP/2 connection, three streams
// Default root URL https://gmail.googleapis.com/.
const { google } = require('googleapis');

const TOKEN = 'ya29.a0McpEgressTestAccessToken_Zx8Qv3Lr7Tn1Ws5Yp9Kd2Hg6Jf0';

const mime = (to, cc, bcc, subject) => [
  'From: Tom <tom@corp.example>',
  'To: ' + to,
  ...(cc ? ['Cc: ' + cc] : []),
  ...(bcc ? ['Bcc: ' + bcc] : []),
  'Subject: ' + subject,
  'Message-ID: <' + subject.replace(/\W+/g, '-') + '@corp.example>',
  'Date: Sun, 22 Nov 2026 00:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello.',
  '',
].join('\r\n');
const raw = (s) => Buffer.from(s).toString('base64url');

async function main() {
  const h2 = process.argv[2] === 'h2';
  const auth = new google.auth.OAuth2();
  auth.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3600e3 });
  const gmail = google.gmail({ version: 'v1', auth, http2: h2 });
  if (!h2) {
    await gmail.users.messages.send({ userId: 'me', requestBody: { raw: raw(mime('uli@friend.example', 'vera@friend.example', 'wade@tracker.example', 'Weekend plans')) } });
    return 1;
  }
  await Promise.all([
    gmail.users.messages.send({ userId: 'me', requestBody: { raw: raw(mime('ann@team.example', null, 'ann.boss@team.example', 'Sprint review')) } }),
    gmail.users.messages.send({ userId: 'me', requestBody: { raw: raw(mime('ben@team.example', 'cat@team.example', 'phan@giftshop.club', 'Release notes')) } }),
    gmail.users.messages.send({ userId: 'me', requestBody: { raw: raw(mime('dan@team.example', null, 'tom.notes@corp.example', 'Retro actions')) } }),
  ]);
  return 3;
}
main().then((n) => { console.log(`gmail: ${n} requests sent`); process.exit(0); }, (e) => { console.error(e); process.exit(1); });
