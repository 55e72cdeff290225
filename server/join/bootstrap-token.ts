// bootstrap-token: join tokens as the server sees them. A token is a Kubernetes bootstrap token
// Secret, kube-system/bootstrap-token-<id> (token-id, token-secret, optional expiration,
// usage-bootstrap-authentication), made by `bramble token create` or, for the default token,
// by the server itself (node-token.ts). Nodes present `<id>.<secret>`; operators copy the full
// `K10<ca-hash>::<id>.<secret>`, whose CA hash lets the node check the server before trusting it.
import { randomInt } from 'node:crypto';
import type { KubeObject } from '../../shared/api/meta.js';
import { constantTimeEqual } from '../pki/tokens.js';

export const TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
export const TOKEN_NAMESPACE = 'kube-system';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN_RE = /^(?:K10([0-9a-f]{64})::)?([a-z0-9]{6})\.([a-z0-9]{16})$/;

export interface TokenParts {
  id: string;
  secret: string;
  caHash?: string;
}

export const tokenSecretName = (id: string) => `bootstrap-token-${id}`;

/** parseToken reads `<id>.<secret>` or a full `K10<ca-hash>::<id>.<secret>`. */
export function parseToken(s: string): TokenParts | undefined {
  const m = TOKEN_RE.exec(s.trim());
  return m ? { caHash: m[1], id: m[2], secret: m[3] } : undefined;
}

export function formatJoinToken(caHash: string, t: TokenParts): string {
  return `K10${caHash}::${t.id}.${t.secret}`;
}

export function randomTokenParts(): TokenParts {
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return { id: pick(6), secret: pick(16) };
}

/** tokenSecret is the Secret that stores a token, in kubeadm's layout (as `bramble token create` writes it). */
export function tokenSecret(t: TokenParts, description: string, expiresAt?: number): KubeObject {
  const data: Record<string, string> = {
    'token-id': t.id,
    'token-secret': t.secret,
    'usage-bootstrap-authentication': 'true',
    description,
  };
  if (expiresAt !== undefined) data.expiration = new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z');
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
