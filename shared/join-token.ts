// join-token: the one definition of Bramble's join tokens, for the CLI that makes them, the
// server that checks them and the agent that presents them. A token is a Kubernetes bootstrap
// token Secret, kube-system/bootstrap-token-<id> (token-id, token-secret, optional expiration,
// usage-bootstrap-authentication, description), made by `bramble token create` or, for the
// default token, by the server itself. Nodes present `<id>.<secret>`; operators copy the full
// `K10<ca-hash>::<id>.<secret>` — like k3s, the CA hash (sha256 of the CA certificate's DER)
// lets a joining node check that it talks to the right server before it trusts it with the secret.
import { createHash, randomInt, timingSafeEqual, X509Certificate } from 'node:crypto';
import type { KubeObject } from './api/meta.js';
import { rfc3339 } from './clock.js';

export const TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
export const TOKEN_NAMESPACE = 'kube-system';
export const ID_LENGTH = 6;
export const SECRET_LENGTH = 16;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
// The hash is matched in either case here; parseToken decides whether upper case is accepted.
const TOKEN_RE = new RegExp(`^(?:K10([0-9a-fA-F]{64})::)?([a-z0-9]{${ID_LENGTH}})\\.([a-z0-9]{${SECRET_LENGTH}})$`);

export interface TokenParts {
  id: string;
  secret: string;
  /** caHash: lowercase hex SHA-256 of the CA's DER; absent for a bare <id>.<secret> token. */
  caHash?: string;
}

export const tokenSecretName = (id: string) => `bootstrap-token-${id}`;

export interface ParseOptions {
  /** anyCaseHash: accept a CA hash in upper case too (it is returned in lower case). */
  anyCaseHash?: boolean;
}

/** parseToken reads `<id>.<secret>` or a full `K10<ca-hash>::<id>.<secret>`; undefined when malformed. */
export function parseToken(s: string, opts: ParseOptions = {}): TokenParts | undefined {
  const m = TOKEN_RE.exec(s.trim());
  if (!m) return undefined;
  const caHash = m[1]?.toLowerCase();
  if (!opts.anyCaseHash && caHash !== m[1]) return undefined;
  return { caHash, id: m[2], secret: m[3] };
}

export function formatJoinToken(caHash: string, t: TokenParts): string {
  return `K10${caHash}::${t.id}.${t.secret}`;
}

/** randomToken is `length` characters of [a-z0-9], from a cryptographic source. */
export function randomToken(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export function randomTokenParts(): TokenParts {
  return { id: randomToken(ID_LENGTH), secret: randomToken(SECRET_LENGTH) };
}

/** caDerHash is the hex SHA-256 of the first certificate's DER in a PEM; it throws on a PEM that holds no certificate. */
export function caDerHash(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/**
 * tokenSecret is the Secret that stores a token, in kubeadm's layout. `expiresAt` (epoch ms)
 * becomes an RFC 3339 expiration; without it the token does not expire.
 */
export function tokenSecret(t: TokenParts, description: string, expiresAt?: number): KubeObject {
  const data: Record<string, string> = {
    'token-id': t.id,
    'token-secret': t.secret,
    ...(expiresAt === undefined ? {} : { expiration: rfc3339(expiresAt) }),
    'usage-bootstrap-authentication': 'true',
    description,
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: tokenSecretName(t.id), namespace: TOKEN_NAMESPACE },
    type: TOKEN_TYPE,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/**
 * tokenProblem says why a token may not join (undefined: it may). The reason is for the server's
 * debug log only; the node always hears the same message, so probing tells it nothing.
 */
export function tokenProblem(secret: KubeObject | undefined, t: TokenParts, now: number): string | undefined {
  if (!secret || secret.type !== TOKEN_TYPE) return 'no such token';
  const field = (k: string) => {
    const v = secret.data?.[k];
    return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined;
  };
  if (field('token-id') !== t.id) return 'token id does not match its Secret';
  if (!constantTimeEqual(field('token-secret') ?? '', t.secret)) return 'wrong secret';
  const expiration = field('expiration');
  if (expiration !== undefined) {
    const at = Date.parse(expiration);
    if (Number.isNaN(at) || at <= now) return 'expired';
  }
  if (field('usage-bootstrap-authentication') !== 'true') return 'not usable for authentication';
  return undefined;
}

/** constantTimeEqual compares two secrets in time that depends on neither their contents nor
 *  their lengths: both are hashed to 32 bytes first, since timingSafeEqual needs equal lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
