// tokens: the admin bearer token that kubectl presents (kept in DATA_DIR/tls/admin-token), and a
// comparison that does not leak, through timing, how much of a guess was right.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { ensurePrivateDir, readIfExists, tlsDir, writeFileAtomic } from './files.js';

const TOKEN_FILE = 'admin-token';

/** ensureAdminToken returns the stored admin token, generating 32 random bytes (base64url) the
 *  first time. */
export async function ensureAdminToken(dataDir: string): Promise<string> {
  const dir = tlsDir(dataDir);
  await ensurePrivateDir(dir);
  const path = join(dir, TOKEN_FILE);
  const stored = (await readIfExists(path))?.trim();
  if (stored) return stored;
  const token = randomBytes(32).toString('base64url');
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

/** constantTimeEqual compares two secrets in time that depends on neither their contents nor
 *  their lengths: both are hashed to 32 bytes first, since timingSafeEqual needs equal lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
