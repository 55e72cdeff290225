// node-token: the default join token, DATA_DIR/node-token (0600), like k3s's. Made at the first
// start (a bootstrap token Secret without expiry) and reused afterwards. If its Secret was
// deleted (revoked) or no longer matches, a new token replaces it: a leaked token stays revoked.
import { join } from 'node:path';
import { findResource } from '../../shared/api/resources.js';
import type { Clock } from '../../shared/clock.js';
import { formatJoinToken, parseToken, randomTokenParts, TOKEN_NAMESPACE, tokenProblem, tokenSecret, tokenSecretName } from '../../shared/join-token.js';
import type { ObjectService } from '../objects/object-service.js';
import { readIfExists, writeFileAtomic } from '../pki/files.js';

const SECRETS = findResource('', 'v1', 'secrets')!;
export const NODE_TOKEN_FILE = 'node-token';
export const DEFAULT_TOKEN_DESCRIPTION = 'default join token';

export interface NodeToken {
  token: string;
  path: string;
  /** created: a new token was made on this call (first start, or the old one was revoked). */
  created: boolean;
}

export async function ensureNodeToken(dataDir: string, objects: ObjectService, caHash: string, clock: Clock): Promise<NodeToken> {
  const path = join(dataDir, NODE_TOKEN_FILE);
  const stored = parseToken((await readIfExists(path)) ?? '');
  if (stored && !tokenProblem(objects.find(SECRETS, TOKEN_NAMESPACE, tokenSecretName(stored.id)), stored, clock.now())) {
    const token = formatJoinToken(caHash, stored);
    if (stored.caHash !== caHash) await writeFileAtomic(path, `${token}\n`, 0o600);
    return { token, path, created: false };
  }
  const parts = randomTokenParts();
  await objects.create(SECRETS, TOKEN_NAMESPACE, tokenSecret(parts, DEFAULT_TOKEN_DESCRIPTION));
  const token = formatJoinToken(caHash, parts);
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return { token, path, created: true };
}
