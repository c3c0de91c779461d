#!/usr/bin/env node
// Local SMTP sink for recording captures. Accepts every message and throws it away.
//
//   node smtp-sink.js --listen plain:127.0.0.1:2525 --listen starttls:127.0.0.1:2587 \
//                     --listen tls:127.0.0.1:2465 --cert DIR [--ready FILE]
//
// Modes: plain    = no TLS at all (STARTTLS hidden, so opportunistic clients stay in clear text)
//        starttls = STARTTLS advertised (port 587 style)
//        tls      = implicit TLS from the first byte (port 465 style)
// Policy: AUTH PLAIN/LOGIN with any credentials (also without TLS, so a capture can show that creds must
// never leak into output); any RCPT in @rejected.example gets 550; everything else is accepted.
// The server advertises PIPELINING, 8BITMIME, SMTPUTF8, AUTH PLAIN LOGIN, SIZE, and STARTTLS in starttls mode (smtp-server has no
// CHUNKING/BDAT; see python-bdat-sink.py for that).
'use strict';

const fs = require('fs');
const path = require('path');
const { SMTPServer } = require(path.join(__dirname, '..', 'node', 'node_modules', 'smtp-server'));

const args = process.argv.slice(2);
const listens = [];
let certDir = null;
let readyFile = null;
for (let i = 0; i < args.length; i++) {
    if (args[i] === '--listen') listens.push(args[++i]);
    else if (args[i] === '--cert') certDir = args[++i];
    else if (args[i] === '--ready') readyFile = args[++i];
    else throw new Error('unknown argument ' + args[i]);
}
if (!listens.length) throw new Error('need at least one --listen mode:host:port');

const tlsFiles = certDir
    ? { key: fs.readFileSync(path.join(certDir, 'key.pem')), cert: fs.readFileSync(path.join(certDir, 'cert.pem')) }
    : {};

function makeServer(mode) {
    return new SMTPServer({
        name: 'mx.sink.test',
        banner: 'McpEgress capture sink',
        secure: mode === 'tls',
        hideSTARTTLS: mode === 'plain',
        ...tlsFiles,
        authMethods: ['PLAIN', 'LOGIN'],
        authOptional: true,
        allowInsecureAuth: true,
        size: 10 * 1024 * 1024,
        logger: false,
        onAuth(auth, session, cb) {
            cb(null, { user: auth.username });
        },
        onRcptTo(address, session, cb) {
            if (/@rejected\.example$/i.test(address.address)) {
                const err = new Error('5.1.1 <' + address.address + '>: Recipient address rejected: no such user');
                err.responseCode = 550;
                return cb(err);
            }
            cb();
        },
        onData(stream, session, cb) {
            stream.on('data', () => {});
            stream.on('end', () => cb(null, 'Queued as ' + session.id));
        },
    });
}

let pending = listens.length;
for (const spec of listens) {
    // host may be an IPv6 literal, so split mode at the first ':' and port at the last.
    const first = spec.indexOf(':');
    const last = spec.lastIndexOf(':');
    const mode = spec.slice(0, first);
    const host = spec.slice(first + 1, last).replace(/^\[|\]$/g, '');
    const port = Number(spec.slice(last + 1));
    if (!['plain', 'starttls', 'tls'].includes(mode)) throw new Error('bad mode ' + mode);
    if (mode !== 'plain' && !certDir) throw new Error(mode + ' needs --cert');
    const server = makeServer(mode);
    server.on('error', err => console.error('sink', spec, err.message));
    server.listen(port, host, () => {
        console.error('sink listening', mode, host, port);
        if (--pending === 0 && readyFile) fs.writeFileSync(readyFile, String(process.pid));
    });
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
