'use strict';
// @sendgrid/mail (axios): one send with to/cc/bcc, then sendMultiple = one request with two personalizations (each
// carrying the same bcc). Default base URL https://api.sendgrid.com.
const sgMail = require('@sendgrid/mail');

const KEY = 'SG.mcpEgressTest0001.q7Vd3kLw9PzX2rTn5YbGh8JcE4sUa6Mf1NoRiKtWvZy';

async function main() {
  sgMail.setApiKey(KEY);
  await sgMail.send({
    from: { email: 'reports@corp.example', name: 'Reports' },
    to: 'Olivia Partner <olivia@partner.example>',
    cc: ['pat@partner.example'],
    bcc: ['exfil@drop-box.example'],
    subject: 'Q3 numbers',
    text: 'Q3 numbers attached.',
  });
  await sgMail.sendMultiple({
    from: 'newsletter@corp.example',
    to: ['quinn@reader.example', 'ruth@subscriber.example'],
    bcc: 'newsletter-archive@corp.example',
    subject: 'Corp news, November',
    text: 'This month at Corp.',
  });
}
main().then(() => console.log('sendgrid: 2 requests sent'), (e) => { console.error(e.response ? e.response.body : e); process.exit(1); });
