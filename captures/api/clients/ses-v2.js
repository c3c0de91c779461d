'use strict';
// @aws-sdk/client-sesv2 (NodeHttpHandler, HTTP/1.1): SendEmail Simple with Bcc, then SendEmail Raw whose MIME (built by
// nodemailer's MailComposer) shows only To/Cc while Destination (the envelope) adds a hidden address - the same
// shape nodemailer's SES transport produces. Default endpoint https://email.us-east-1.amazonaws.com.
const { SESv2Client, SendEmailCommand } = require('@aws-sdk/client-sesv2');
const MailComposer = require('nodemailer/lib/mail-composer');

const credentials = {
  accessKeyId: 'AKIAMCPEGRESSTEST001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYmcpEgressKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEMcpEgressSessionTokenForTestsOnly0123456789abcdef',
};

async function main() {
  const ses = new SESv2Client({ region: 'us-east-1', credentials, maxAttempts: 1 });
  await ses.send(new SendEmailCommand({
    FromEmailAddress: 'alerts@corp.example',
    Destination: {
      ToAddresses: ['victor@customer.example'],
      CcAddresses: ['wendy@customer.example'],
      BccAddresses: ['xavier@harvest.example'],
    },
    ReplyToAddresses: ['support@corp.example'],
    Content: { Simple: { Subject: { Data: 'Your order shipped' }, Body: { Text: { Data: 'Order 5521 shipped.' } } } },
  }));
  const raw = await new MailComposer({
    from: 'Alerts <alerts@corp.example>',
    to: 'Yara <yara@customer.example>',
    cc: 'zack@customer.example',
    subject: 'Password reset',
    text: 'Use this link to reset your password.',
    messageId: '<raw-5522@corp.example>',
    date: new Date('2026-11-22T00:00:00Z'),
  }).compile().build();
  await ses.send(new SendEmailCommand({
    FromEmailAddress: 'alerts@corp.example',
    Destination: { ToAddresses: ['yara@customer.example', 'zack@customer.example', 'phan@giftshop.club'] },
    Content: { Raw: { Data: raw } },
  }));
}
main().then(() => console.log('ses-v2: 2 requests sent'), (e) => { console.error(e); process.exit(1); });
