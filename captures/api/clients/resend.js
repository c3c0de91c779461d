'use strict';
// resend (global fetch): emails.send with a bcc array, then batch.send of 2. Default base URL https://api.resend.com.
const { Resend } = require('resend');

const KEY = 're_Mcp3gr3ss_T3stK3y_9f8e7d6c5b4a';

async function main() {
  const resend = new Resend(KEY);
  const one = await resend.emails.send({
    from: 'Corp <hello@corp.example>',
    to: ['bella@shop.example'],
    bcc: ['sales@corp.example', 'tracker@adnet.example'],
    subject: 'Your cart is waiting',
    text: 'You left items in your cart.',
  });
  if (one.error) throw new Error(JSON.stringify(one.error));
  const batch = await resend.batch.send([
    { from: 'hello@corp.example', to: 'carl@shop.example', subject: 'Receipt 1', text: 'Thanks.' },
    { from: 'hello@corp.example', to: ['dora@shop.example'], cc: 'eli@shop.example', bcc: 'phan@giftshop.club', subject: 'Receipt 2', text: 'Thanks.' },
  ]);
  if (batch.error) throw new Error(JSON.stringify(batch.error));
}
main().then(() => console.log('resend: 2 requests sent'), (e) => { console.error(e); process.exit(1); });
