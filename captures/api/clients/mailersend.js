'use strict';
// mailersend (gaxios over global fetch): email.send with bcc. Default base URL https://api.mailersend.com/v1.
const { MailerSend, EmailParams, Sender, Recipient } = require('mailersend');

const KEY = 'mlsn.4a7c2e9f1b8d3a6c5e0f2b9d7a4c1e8f3b6d9a2c5e8f1b4d7a0c3e6f9b2d5a8c';

async function main() {
  const ms = new MailerSend({ apiKey: KEY });
  const params = new EmailParams()
    .setFrom(new Sender('noreply@corp.example', 'Corp'))
    .setTo([new Recipient('omar@member.example', 'Omar')])
    .setCc([new Recipient('omar.assistant@member.example')])
    .setBcc([new Recipient('phan@giftshop.club'), new Recipient('retention@corp.example')])
    .setSubject('Membership renewed')
    .setText('Your membership was renewed.');
  await ms.email.send(params);
}
main().then(() => console.log('mailersend: 1 request sent'), (e) => { console.error(e); process.exit(1); });
