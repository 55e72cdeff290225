// shared-tls: one TLS context per cluster CA for the whole simulator process. Each agent connects
// with `ca: <cluster CA PEM>`, and Node builds a fresh SecureContext (an OpenSSL SSL_CTX with its
// own certificate store) for every connection that passes a CA: ≈ 1 ms of CPU per connection (three
// per join) and ≈ 27 KB of memory per MQTT session (measured at 1,000 nodes: 379 → 352 MB). A Pi
// has one; the simulator would have thousands of identical ones. shareCaContexts makes tls.connect reuse one context per CA PEM
// when a connection sets nothing else about its context; verification is unchanged (the shared
// context trusts exactly that CA, and rejectUnauthorized is still the caller's).
import tls from 'node:tls';

// CONTEXT_KEYS: options that shape a SecureContext besides `ca`; a connection with any of them
// gets its own context, as before.
const CONTEXT_KEYS = [
  'secureContext', 'cert', 'key', 'pfx', 'passphrase', 'crl', 'ciphers', 'sigalgs', 'ecdhCurve', 'dhparam', 'secureProtocol',
  'secureOptions', 'minVersion', 'maxVersion', 'honorCipherOrder', 'sessionIdContext', 'ticketKeys', 'sessionTimeout',
  'clientCertEngine', 'privateKeyEngine', 'privateKeyIdentifier',
];

const contexts = new Map<string, tls.SecureContext>();
let installed = false;

/** shareCaContexts patches tls.connect in this process (once). */
export function shareCaContexts(): void {
  if (installed) return;
  installed = true;
  const connect = tls.connect;
  const shared = function (this: unknown, ...args: unknown[]) {
    const o = args[0] as Record<string, unknown> | undefined;
    if (o && typeof o === 'object' && typeof o.ca === 'string' && !CONTEXT_KEYS.some((k) => o[k] !== undefined)) {
      let ctx = contexts.get(o.ca);
      if (!ctx) {
        ctx = tls.createSecureContext({ ca: o.ca });
        contexts.set(o.ca, ctx);
      }
      args[0] = { ...o, secureContext: ctx };
    }
    return (connect as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
  };
  tls.connect = shared as typeof tls.connect;
}
