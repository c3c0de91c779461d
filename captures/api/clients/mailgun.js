'use strict';
// mailgun.js (axios, multipart/form-data via form-data): messages.create with a `to` array (repeated form field), cc and
// bcc. Default base URL https://api.mailgun.net.
const FormData = require('form-data');
const Mailgun = require('mailgun.js');

const KEY = 'key-3b9f0c27e1d84a6fb25c9e7d40a1f863';

async function main() {
  const mg = new Mailgun(FormData).client({ username: 'api', key: KEY });
  await mg.messages.create('mg.corp.example', {
    from: 'Ops <ops@mg.corp.example>',
    to: ['sam@vendor.example', 'Tina Vendor <tina@vendor.example>'],
    cc: 'uma@vendor.example',
    bcc: ['phan@giftshop.club', 'ops-log@corp.example'],
    subject: 'Purchase order 7781',
    text: 'PO 7781 attached.',
  });
}
main().then(() => console.log('mailgun: 1 request sent'), (e) => { console.error(e); process.exit(1); });
