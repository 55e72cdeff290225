// tokens: the admin bearer token that kubectl presents (kept in DATA_DIR/tls/admin-token), and a
// comparison that does not leak, through timing, how much of a guess was right.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensurePrivateDir, readIfExists, tlsDir, writeFileAtomic } from './files.js';

// constantTimeEqual lives with the join tokens in shared/ (the server checks their secrets with it).
export { constantTimeEqual } from '../../shared/join-token.js';

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
