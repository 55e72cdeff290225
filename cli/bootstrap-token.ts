// bootstrap-token: join tokens, kept as Kubernetes bootstrap token Secrets
// (kube-system/bootstrap-token-<id>) so the server can look them up by id, and handed out as
// K10<ca-hash>::<id>.<secret> — like k3s, the CA hash lets a joining node check that it talks to
// the right server before it trusts it with the secret.
import { createHash, randomInt, X509Certificate } from 'node:crypto';
import type { KubeObject } from '../shared/api/meta.js';
import { CliError } from './errors.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const ID_LENGTH = 6;
export const SECRET_LENGTH = 16;
export const TOKEN_TYPE = 'bootstrap.kubernetes.io/token';

export function randomToken(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export interface TokenSpec {
  id: string;
  secret: string;
  /** expiresAt: epoch ms, or undefined for a token that does not expire. */
  expiresAt?: number;
  description: string;
}

/** tokenSecret is the Secret that stores a token, in the layout kubeadm uses. */
export function tokenSecret(t: TokenSpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${t.id}`, namespace: 'kube-system' },
    type: TOKEN_TYPE,
    stringData: {
      'token-id': t.id,
      'token-secret': t.secret,
      ...(t.expiresAt === undefined ? {} : { expiration: rfc3339(t.expiresAt) }),
      'usage-bootstrap-authentication': 'true',
      description: t.description,
    },
  };
}

/** caHash is the hex SHA-256 of the CA certificate's DER (the first certificate in the PEM). */
export function caHash(caPem: string | undefined): string {
  if (!caPem) throw new CliError('the kubeconfig names no cluster CA (certificate-authority-data), which a join token needs');
  let der: Buffer;
  try {
    der = new X509Certificate(caPem).raw;
  } catch (e) {
    throw new CliError(`the kubeconfig's cluster CA is not a valid certificate: ${(e as Error).message}`);
  }
  return createHash('sha256').update(der).digest('hex');
}

export function joinToken(hash: string, t: TokenSpec): string {
  return `K10${hash}::${t.id}.${t.secret}`;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
