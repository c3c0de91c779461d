'use strict';
// mcp-egress TLS key log preload for Node.js.
//
//   NODE_OPTIONS="--require /usr/lib/mcp-egress/mcp-egress-keylog.js" MCP_EGRESS_KEYLOG=/path/to/file.keys node server.js
//
// Appends the NSS key log line of every TLS client connection this process makes (the socket's 'keylog'
// event) to the file named by MCP_EGRESS_KEYLOG, so mcp-egress can decrypt what an MCP server sends.
// Why a preload: `node --tls-keylog` misses connections made by the built-in fetch (undici) on Node 20.
// tls.connect is the one funnel for client TLS sockets: https.Agent.createConnection (https.request,
// axios, node-fetch, got...), http2.connect and undici's connector (fetch) all call tls.connect through
// the exported module object, so replacing the property catches them all.
//
// The file is opened once, lazily, with O_APPEND|O_NOFOLLOW and mode 0600 (MCP_EGRESS_KEYLOG_MODE=0640
// for the shared setgid-directory layout in README.md; nothing wider is accepted) and narrowed to that mode
// if it existed with wider bits. A file owned by another user is refused (someone could have planted it
// to collect our secrets). Each line is one synchronous write(2): lines of concurrent processes do not
// interleave and nothing is lost when the process calls process.exit() right after its last request
// (where --tls-keylog's asynchronous writes are lost).
// A key log holds the secrets of every TLS session written to it: keep the file private.

const fs = require('fs');
const tls = require('tls');

const MARK = Symbol.for('mcp-egress.tls-keylog-preload');
const file = process.env.MCP_EGRESS_KEYLOG;

if (file && !tls.connect[MARK]) {
  const mode = process.env.MCP_EGRESS_KEYLOG_MODE === '0640' ? 0o640 : 0o600;
  let fd = -1;
  let failed = false;

  const open = () => {
    const c = fs.constants;
    const f = fs.openSync(file, c.O_WRONLY | c.O_APPEND | c.O_CREAT | (c.O_NOFOLLOW || 0), mode);
    const st = fs.fstatSync(f);
    if (typeof process.geteuid === 'function' && st.uid !== process.geteuid()) {
      fs.closeSync(f);
      throw new Error(`owned by uid ${st.uid}, not by this process (uid ${process.geteuid()})`);
    }
    if (!st.isFile()) { fs.closeSync(f); throw new Error('not a regular file'); }
    if ((st.mode & 0o777 & ~mode) !== 0) fs.fchmodSync(f, mode);
    return f;
  };

  const write = (line) => {
    if (failed) return;
    try {
      if (fd < 0) fd = open();
      fs.writeSync(fd, line); // line is a Buffer ending in '\n'
    } catch (err) {
      failed = true; // never break the application because the key log cannot be written
      process.emitWarning(`mcp-egress: not writing TLS key log ${file}: ${err.message}`, 'McpEgressWarning');
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
