import { describe, expect, it } from 'vitest';
import { formatJoinToken, parseToken, tokenProblem, tokenSecret } from './bootstrap-token.js';

const HASH = 'ab'.repeat(32);
const T = { id: 'abc123', secret: '0123456789abcdef' };
const NOW = Date.parse('2025-01-01T00:00:00Z');

describe('parseToken', () => {
  it.each([
    ['abc123.0123456789abcdef', T],
    [`K10${HASH}::abc123.0123456789abcdef`, { ...T, caHash: HASH }],
    [` ${formatJoinToken(HASH, T)}\n`, { ...T, caHash: HASH }],
  ])('reads %j', (s, want) => {
    expect(parseToken(s)).toEqual({ caHash: undefined, ...want });
  });

  it.each(['', 'abc123', 'abc123.short', 'ABC123.0123456789abcdef', `K10${HASH}:abc123.0123456789abcdef`, 'K10xyz::abc123.0123456789abcdef'])(
    'rejects %j',
    (s) => {
      expect(parseToken(s)).toBeUndefined();
    },
  );
});

describe('tokenProblem', () => {
  it('accepts a valid token, with or without expiration', () => {
    expect(tokenProblem(tokenSecret(T, 'd'), T, NOW)).toBeUndefined();
    expect(tokenProblem(tokenSecret(T, 'd', NOW + 60_000), T, NOW)).toBeUndefined();
  });

  it.each([
    ['a missing Secret', undefined, T, 'no such token'],
    ['a wrong secret', tokenSecret(T, 'd'), { ...T, secret: 'ffffffffffffffff' }, 'wrong secret'],
    ['an expired token', tokenSecret(T, 'd', NOW - 1_000), T, 'expired'],
    ['another type', { ...tokenSecret(T, 'd'), type: 'Opaque' }, T, 'no such token'],
  ])('refuses %s', (_, secret, parts, reason) => {
    expect(tokenProblem(secret, parts, NOW)).toBe(reason);
  });

  it('refuses a token not meant for authentication', () => {
    const s = tokenSecret(T, 'd');
    s.data!['usage-bootstrap-authentication'] = Buffer.from('false').toString('base64');
    expect(tokenProblem(s, T, NOW)).toBe('not usable for authentication');
  });
});
