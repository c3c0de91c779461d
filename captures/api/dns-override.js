'use strict';
// Preload (node --require ./dns-override.js): resolve the mail-API providers' real host names to the stand-in's loopback address so the
// official clients keep their default https://<provider-host>/ base URLs (real SNI and Host) but reach the local
// stand-in (standin.js). net/tls/http2/undici all resolve through dns.lookup at connect time, so patching the
// module's functions is enough; other names resolve as usual.
const dns = require('dns');
const HOSTS = require('./hosts.json');

// A loopback address of its own (not 127.0.0.1) so the captures hold only our traffic on a shared machine.
const LOCAL = process.env.STANDIN_ADDR || '127.20.0.1';
const set = new Set(HOSTS.map((h) => h.toLowerCase()));
const isLocal = (host) => typeof host === 'string' && set.has(host.toLowerCase().replace(/\.$/, ''));

const origLookup = dns.lookup;
function lookup(hostname, options, callback) {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (!isLocal(hostname)) return origLookup.call(dns, hostname, options, callback);
  const opts = typeof options === 'number' ? { family: options } : (options || {});
  if (process.env.DNS_OVERRIDE_TRACE) process.stderr.write(`dns-override: ${hostname} -> ${LOCAL}\n`);
  process.nextTick(() => {
    if (opts.all) callback(null, [{ address: LOCAL, family: 4 }]);
    else callback(null, LOCAL, 4);
  });
  return {};
}
dns.lookup = lookup;

const origPromisesLookup = dns.promises.lookup;
dns.promises.lookup = function (hostname, options) {
  if (!isLocal(hostname)) return origPromisesLookup.call(dns.promises, hostname, options);
  const opts = typeof options === 'number' ? { family: options } : (options || {});
  return Promise.resolve(opts.all ? [{ address: LOCAL, family: 4 }] : { address: LOCAL, family: 4 });
};
