'use strict';
// CRM-logged sales mail through two official clients: the Bcc addresses businesses copy on purpose to log mail in
// their CRM (src/McpEgress/Detection/KnownSinks.cs cites each vendor's page), each recurring on messages to unrelated
// customers (what hidden-sink would call a collector, were it not a known sink), plus one compliance copy in the
// sender's own domain. Expected: nothing above medium (in fact no alert at all).
//   postmark 5.1.0 (undici): 4 x sendEmail — HubSpot and Pipedrive BCC-logging addresses, a Capsule drop box, then a
//     compliance copy to archive.corp.example;
//   @sendgrid/mail 8.1.6 (axios): 3 x send — Pipeline CRM, Freshsales and Nutshell logging addresses.
const postmark = require('postmark');
const sgMail = require('@sendgrid/mail');

const HUBSPOT = '20418773@bcc.hubspot.com';
const PIPEDRIVE = 'corp-example@pipedrivemail.com';
const CAPSULE = 'dropbox@94012377.corp.capsulecrm.com';
const PIPELINE = 'cc@app.pipelinecrm.com';
const FRESHSALES = 'sales@corp.freshsales.io';
const NUTSHELL = 'ibx_i0068e_1ed70ec324@nutshellemail.com';

async function main() {
  const pm = new postmark.ServerClient('pm-srv-crm-5e1d7a2c-9b40-4f6e-8d13-a7c2e9f0b641');
  const pmSends = [
    { To: 'Ana Buyer <ana@customer-one.example>', Bcc: HUBSPOT, Subject: 'Quote Q-1001' },
    { To: 'ben@customer-two.example', Bcc: `${HUBSPOT}, ${PIPEDRIVE}`, Subject: 'Quote Q-1002' },
    { To: 'cho@customer-three.example', Bcc: `${HUBSPOT}, ${PIPEDRIVE}, ${CAPSULE}`, Subject: 'Quote Q-1003' },
    { To: 'dev@customer-four.example', Bcc: 'compliance@archive.corp.example', Subject: 'Contract C-77' },
  ];
  for (const m of pmSends) {
    await pm.sendEmail({ From: 'Sales <sales@corp.example>', TextBody: 'Thanks for your time today.', MessageStream: 'outbound', ...m });
  }
  sgMail.setApiKey('SG.mcpEgressCrm0001.Lk3Wq8Zr5Tn2Vb7Xc4Md9Fg6Hj1Ks0Pa5Ue8Yi2Ot7');
  const sgSends = [
    { to: 'eve@customer-five.example', bcc: [PIPELINE, FRESHSALES, NUTSHELL], subject: 'Follow-up F-1' },
    { to: 'fin@customer-six.example', bcc: [PIPELINE, FRESHSALES, NUTSHELL], subject: 'Follow-up F-2' },
    { to: 'gus@customer-seven.example', bcc: [PIPELINE, FRESHSALES, NUTSHELL], subject: 'Follow-up F-3' },
  ];
  for (const m of sgSends) {
    await sgMail.send({ from: { email: 'sales@corp.example', name: 'Sales' }, text: 'Following up on our call.', ...m });
  }
}
main().then(() => console.log('crm-bcc: 7 requests sent'), (e) => { console.error(e.response ? e.response.body : e); process.exit(1); });
