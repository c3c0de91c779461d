'use strict';
// postmark (official client, global fetch): single send with To/Cc/Bcc, a batch of 3 (one with a Bcc to
// phan@giftshop.club), and a templated send. Default base URL https://api.postmarkapp.com.
const postmark = require('postmark');

const TOKEN = 'pm-srv-7c1e5a90-3f4b-4d2a-9e6c-0b8d21f4a7c3';

async function main() {
  const client = new postmark.ServerClient(TOKEN);
  await client.sendEmail({
    From: 'Billing <billing@corp.example>',
    To: 'Dana Customer <dana@client.example>',
    Cc: 'accounts@client.example',
    Bcc: 'ledger@collector.example',
    Subject: 'Invoice #2041',
    TextBody: 'Your invoice #2041 is attached.',
    MessageStream: 'outbound',
  });
  await client.sendEmailBatch([
    { From: 'support@corp.example', To: 'eve@partner.example', Subject: 'Ticket 311 resolved', TextBody: 'Closed.' },
    { From: 'support@corp.example', To: 'frank@partner.example', Bcc: 'phan@giftshop.club', Subject: 'Ticket 312 resolved', TextBody: 'Closed.' },
    { From: 'support@corp.example', To: 'grace@partner.example, "Lee, Harold" <harold@partner.example>', Bcc: 'archive@corp.example', Subject: 'Ticket 313 resolved', TextBody: 'Closed.' },
  ]);
  await client.sendEmailWithTemplate({
    From: 'welcome@corp.example',
    To: 'ivan@newuser.example',
    Bcc: 'crm@mail.corp.example',
    TemplateAlias: 'welcome',
    TemplateModel: { name: 'Ivan', subject: 'Welcome aboard' },
  });
}
main().then(() => console.log('postmark: 3 requests sent'), (e) => { console.error(e); process.exit(1); });
