import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { constantTimeEqual, ensureAdminToken } from './tokens.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bramble-token-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('ensureAdminToken', () => {
  it('generates a 32-byte base64url token once, stores it 0600, and reuses it', async () => {
    const token = await ensureAdminToken(dataDir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const path = join(dataDir, 'tls', 'admin-token');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trim()).toBe(token);
    expect(await ensureAdminToken(dataDir)).toBe(token);
  });
});

describe('constantTimeEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['', 'x', false],
  ])('%j vs %j → %s', (a, b, want) => {
    expect(constantTimeEqual(a, b)).toBe(want);
  });
});
