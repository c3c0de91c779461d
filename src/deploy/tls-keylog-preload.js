'use strict';
// mcp-egress TLS key log preload for Node.js.
//
//   NODE_OPTIONS="--require /usr/lib/mcp-egress/tls-keylog-preload.js" MCP_EGRESS_KEYLOG=/path/to/file.keys node server.js
//
// Appends the NSS key log line of every TLS client connection this process makes (the socket's 'keylog'
// event) to the file named by MCP_EGRESS_KEYLOG, so mcp-egress can decrypt what an MCP server sends.
// Why a preload: `node --tls-keylog` misses connections made by the built-in fetch (undici) on Node 20.
// tls.connect is the one funnel for client TLS sockets: https.Agent.createConnection (https.request,
// axios, node-fetch, got...), http2.connect and undici's connector (fetch) all call tls.connect through
// the exported module object, so replacing the property catches them all.
//
// The file is opened once, lazily, with O_APPEND and mode 0600 (and chmod'ed to 0600 if it already
// existed with wider bits); each line is written with one synchronous write(2), so lines of concurrent
// processes do not interleave and nothing is lost when the process exits abruptly.
// A key log holds the secrets of every TLS session written to it: keep the file private.

const fs = require('fs');
const tls = require('tls');

const MARK = Symbol.for('mcp-egress.tls-keylog-preload');
const file = process.env.MCP_EGRESS_KEYLOG;

if (file && !tls.connect[MARK]) {
  let fd = -1;
  let failed = false;

  const write = (line) => {
    if (failed) return;
    try {
      if (fd < 0) {
        fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
        try { if ((fs.fstatSync(fd).mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600); } catch { /* not ours */ }
      }
      fs.writeSync(fd, line); // line is a Buffer ending in '\n'
    } catch (err) {
      failed = true; // never break the application because the key log cannot be written
      process.emitWarning(`mcp-egress: cannot write TLS key log ${file}: ${err.message}`, 'McpEgressWarning');
    }
  };

  const seen = new WeakSet();
  const watch = (socket) => {
    if (socket && typeof socket.on === 'function' && !seen.has(socket)) {
      seen.add(socket);
      socket.on('keylog', write); // adding the listener turns on OpenSSL's key log callback for this socket
    }
    return socket;
  };

  const originalConnect = tls.connect;
  const connect = function connect(...args) {
    return watch(originalConnect.apply(this, args));
  };
  Object.defineProperty(connect, 'length', { value: originalConnect.length });
  connect[MARK] = true;
  tls.connect = connect;

  // ESM `import { connect } from 'node:tls'` binds the named export at first import; re-sync it.
  try { require('module').syncBuiltinESMExports(); } catch { /* older Node */ }
}
