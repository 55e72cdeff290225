// join: how a node becomes a member of the cluster, once. Like k3s, the join token carries the
// hash of the cluster CA, so the agent can check the server before it hands over the secret:
//
//   1. GET  <server>/cacerts            unverified TLS; sha256(DER of the CA) must equal the
//                                       token's hash, compared in constant time
//   2. POST <server>/bramble/v1/join    TLS verified with that CA, Authorization: Bearer id.secret,
//                                       body {nodeName} → {nodeName, apiToken, mqtt{url,username,password}, caCert}
//   3. DATA_DIR/ca.crt, then DATA_DIR/credentials.json (0600, dir 0700); from then on the agent
//      restarts from these files and never needs the token again.
//
// Secrets (the token secret, the API token, the MQTT password) never appear in an error or log.
import { timingSafeEqual } from 'node:crypto';
import { request } from 'node:https';
import { join } from 'node:path';
import { caDerHash, parseToken as parseTokenParts, type TokenParts } from '../shared/join-token.js';
import { ensurePrivateDir, readIfExists, writeFileAtomic } from './files.js';

// caDerHash is re-exported: the agent's callers (and tests) know it as part of joining.
export { caDerHash };

export interface Credentials {
  server: string;
  nodeName: string;
  apiToken: string;
  mqtt: { url: string; username: string; password: string };
}

export interface Joined {
  credentials: Credentials;
  caCert: string;
  /** joinedNow: false when the credentials came from disk. */
  joinedNow: boolean;
}

/** JoinError is one line for the operator; retryable errors are worth trying again later. */
export class JoinError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

export const FILES = { credentials: 'credentials.json', ca: 'ca.crt' } as const;
const MAX_BODY = 1 << 20;
const TIMEOUT_MS = 15_000;

/** parseToken reads K10<sha256-hex>::<id>.<secret> (the hash in either case) or a bare <id>.<secret>. */
export function parseToken(token: string): TokenParts {
  const t = parseTokenParts(token, { anyCaseHash: true });
  if (!t) throw new JoinError('the join token is malformed (expected K10<sha256>::<id>.<secret> from `bramble token create`)');
  return t;
}

export interface JoinOptions {
  server: string;
  token: string;
  nodeName: string;
  dataDir: string;
}

/**
 * ensureJoined returns the node's credentials: from DATA_DIR when the node has joined before
 * (under the same name), otherwise by joining with the token.
 */
export async function ensureJoined(opts: JoinOptions): Promise<Joined> {
  const saved = await loadCredentials(opts.dataDir);
  if (saved && saved.credentials.nodeName === opts.nodeName) return { ...saved, joinedNow: false };
  if (!opts.token) {
    if (saved) {
      throw new JoinError(
        `${join(opts.dataDir, FILES.credentials)} belongs to node "${saved.credentials.nodeName}", not "${opts.nodeName}"; give --token to join as "${opts.nodeName}"`,
      );
    }
    throw new JoinError('this node has not joined a cluster yet: give --server and --token (from `bramble token create` on the server)');
  }
  if (!opts.server) throw new JoinError('--server is needed to join (e.g. https://pi-0.local:6443)');
  const token = parseToken(opts.token);
  const trustedCa = token.caHash ? await fetchVerifiedCa(opts.server, token.caHash) : await alreadyTrustedCa(opts.dataDir);
  const answer = await postJoin(opts.server, trustedCa, token, opts.nodeName);
  const credentials: Credentials = { server: opts.server, nodeName: answer.nodeName, apiToken: answer.apiToken, mqtt: answer.mqtt };
  const caCert = answer.caCert || trustedCa;
  await saveCredentials(opts.dataDir, credentials, caCert);
  return { credentials, caCert, joinedNow: true };
}

/** loadCredentials reads a previous join's files; undefined when either is missing. */
export async function loadCredentials(dataDir: string): Promise<Omit<Joined, 'joinedNow'> | undefined> {
  const [text, caCert] = await Promise.all([readIfExists(join(dataDir, FILES.credentials)), readIfExists(join(dataDir, FILES.ca))]);
  if (text === undefined || caCert === undefined) return undefined;
  let c: Credentials;
  try {
    c = JSON.parse(text);
  } catch {
    throw new JoinError(`${join(dataDir, FILES.credentials)} is not valid JSON; delete it to join again with a token`);
  }
  if (!c || typeof c.nodeName !== 'string' || typeof c.mqtt?.url !== 'string' || typeof c.mqtt?.password !== 'string') {
    throw new JoinError(`${join(dataDir, FILES.credentials)} is incomplete; delete it to join again with a token`);
  }
  return { credentials: c, caCert };
}

/** saveCredentials writes the CA first: credentials.json existing means the join is complete. */
export async function saveCredentials(dataDir: string, c: Credentials, caCert: string): Promise<void> {
  await ensurePrivateDir(dataDir);
  await writeFileAtomic(join(dataDir, FILES.ca), caCert, 0o644);
  await writeFileAtomic(join(dataDir, FILES.credentials), `${JSON.stringify(c, null, 2)}\n`, 0o600);
}

async function alreadyTrustedCa(dataDir: string): Promise<string> {
  const ca = await readIfExists(join(dataDir, FILES.ca));
  if (!ca) {
    throw new JoinError(
      `a bare <id>.<secret> token needs a trusted CA in ${join(dataDir, FILES.ca)}; use the full K10… token from \`bramble token create\` instead`,
    );
  }
  return ca;
}

/** fetchVerifiedCa downloads the CA without trusting it, then checks it against the token's hash. */
export async function fetchVerifiedCa(server: string, expectedHash: string): Promise<string> {
  const res = await httpsRequest(new URL('/cacerts', server), { method: 'GET', insecure: true });
  if (res.status !== 200) throw new JoinError(`GET ${server}/cacerts answered HTTP ${res.status}`, res.status >= 500);
  const pem = res.body.toString('utf8');
  let got: string;
  try {
    got = caDerHash(pem);
  } catch {
    throw new JoinError(`the server at ${server} did not answer /cacerts with a PEM certificate: refusing to send credentials`);
  }
  const want = expectedHash.toLowerCase();
  if (!timingSafeEqual(Buffer.from(got, 'hex'), Buffer.from(want, 'hex'))) {
    throw new JoinError(
      `the server at ${server} presented a CA that does not match the join token (expected sha256 ${want}, got ${got}): refusing to send credentials`,
    );
  }
  return pem;
}

interface JoinAnswer {
  nodeName: string;
  apiToken: string;
  mqtt: { url: string; username: string; password: string };
  caCert?: string;
}

async function postJoin(server: string, ca: string, token: TokenParts, nodeName: string): Promise<JoinAnswer> {
  const res = await httpsRequest(new URL('/bramble/v1/join', server), {
    method: 'POST',
    ca,
    headers: { authorization: `Bearer ${token.id}.${token.secret}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ nodeName }),
  });
  let body: any;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    body = undefined;
  }
  if (res.status < 200 || res.status > 299) {
    const why = typeof body?.message === 'string' && body.message ? body.message : `HTTP ${res.status}`;
    throw new JoinError(`join refused: ${why}`, res.status >= 500 || res.status === 429);
  }
  const m = body?.mqtt;
  if (typeof body?.nodeName !== 'string' || typeof body.apiToken !== 'string' || typeof m?.url !== 'string' || typeof m.password !== 'string') {
    throw new JoinError(`the server at ${server} answered the join with an unexpected body`);
  }
  return { nodeName: body.nodeName, apiToken: body.apiToken, mqtt: { url: m.url, username: String(m.username ?? nodeName), password: m.password }, caCert: body.caCert };
}

interface HttpsOptions {
  method: string;
  ca?: string;
  insecure?: boolean;
  headers?: Record<string, string>;
  body?: string;
}

/** httpsRequest is one request on its own connection (agent: false): an unverified connection
 *  must never be pooled and reused for the verified one. */
function httpsRequest(url: URL, o: HttpsOptions): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: o.method,
        agent: false,
        ca: o.ca,
        rejectUnauthorized: !o.insecure,
        headers: { ...o.headers, ...(o.body ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}) },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy(new JoinError(`${url.origin} sent an oversized answer to ${url.pathname}`));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(networkError(url, e)));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${TIMEOUT_MS / 1000}s`), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => reject(networkError(url, e)));
    req.end(o.body);
  });
}

const TLS_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED']);

function networkError(url: URL, e: Error): JoinError {
  if (e instanceof JoinError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new JoinError(`the server's certificate does not name ${url.hostname}; add --tls-san ${url.hostname} on the server, or join through a name it has`);
  }
  if (code && TLS_CODES.has(code)) return new JoinError(`the server at ${url.origin} failed TLS verification with the cluster CA (${code})`);
  return new JoinError(`cannot reach the server at ${url.origin}: ${e.message}`, true);
}
