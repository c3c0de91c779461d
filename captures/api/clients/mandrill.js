'use strict';
// @mailchimp/mailchimp_transactional (axios): messages.send with to[].type "bcc" and bcc_address; the API key travels
// in the JSON body ("key"). Default base path https://mandrillapp.com/api/1.3.
const KEY = 'md-McpEgressTestKey_4f1a9c2e7b';
const mailchimp = require('@mailchimp/mailchimp_transactional')(KEY);

async function main() {
  const r = await mailchimp.messages.send({
    message: {
      from_email: 'orders@corp.example',
      from_name: 'Orders',
      subject: 'Order 8812 confirmed',
      text: 'Thanks for your order.',
      to: [
        { email: 'jack@buyer.example', name: 'Jack', type: 'to' },
        { email: 'kim@buyer.example', type: 'cc' },
        { email: 'phan@giftshop.club', type: 'bcc' },
      ],
      bcc_address: 'orders-archive@corp.example',
      preserve_recipients: true,
    },
  });
  if (r instanceof Error || (r && r.isAxiosError)) throw r;
}
main().then(() => console.log('mandrill: 1 request sent'), (e) => { console.error(e); process.exit(1); });
