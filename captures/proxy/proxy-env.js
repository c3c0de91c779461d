'use strict';
// Preload (node --require ./proxy-env.js): make Node 20's global fetch honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY,
// the way agent hosts behind an egress proxy do it (Node 20 has no NODE_USE_ENV_PROXY; undici's documented answer is
// setGlobalDispatcher(new EnvHttpProxyAgent())). The official postmark client (global fetch) then sends
// `CONNECT api.postmarkapp.com:443` to the proxy and runs TLS inside the tunnel.
const { setGlobalDispatcher, EnvHttpProxyAgent } = require('undici');
setGlobalDispatcher(new EnvHttpProxyAgent());
