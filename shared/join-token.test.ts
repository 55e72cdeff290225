import { describe, expect, it } from 'vitest';
import { caDerHash, formatJoinToken, parseToken, randomToken, randomTokenParts, tokenProblem, tokenSecret } from './join-token.js';

// A throwaway self-signed CA (openssl req -x509 -newkey ec …) and the SHA-256 of its DER, as
// `openssl x509 -outform DER | sha256sum` computes it.
const PEM = `-----BEGIN CERTIFICATE-----
MIIBiTCCAS+gAwIBAgIUIKeN0pBH0BqgoeDx1MhLm1YSgp8wCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPYnJhbWJsZS10ZXN0LWNhMB4XDTI2MTEyMzExMDk0N1oXDTM2
MTEyMDExMDk0N1owGjEYMBYGA1UEAwwPYnJhbWJsZS10ZXN0LWNhMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAExmG/2k4FBXJ6kKKt1uY9GtzrrPNvUHZfj2lt6TRZ
F4MQIt0HDzZTQWLiGGVOhle63hoRQh7iklyIxCIDbDiajqNTMFEwHQYDVR0OBBYE
FNxxzJR7cR6paC1fAmfUb6u6H4Z/MB8GA1UdIwQYMBaAFNxxzJR7cR6paC1fAmfU
b6u6H4Z/MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAONqzsWU
vihMtSgXmcJYd3+F6CNG+vDUVYl+BIAkYKnbAiBun5HS1YWweSMDsim3M7kTa0yg
4UJuJy/sb8SWxmU5DA==
-----END CERTIFICATE-----`;
const PEM_DER_SHA256 = '1212b9cfc69f6b96851a20cb6a4f6418df0601b6ecb0bc4078e8404bf48c5423';

const HASH = 'ab'.repeat(32);
const T = { id: 'abc123', secret: '0123456789abcdef' };
const NOW = Date.parse('2025-01-01T00:00:00Z');

const decoded = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

describe('random tokens', () => {
  it('makes ids and secrets of [a-z0-9]', () => {
    expect(randomToken(6)).toMatch(/^[a-z0-9]{6}$/);
    expect(randomToken(16)).toMatch(/^[a-z0-9]{16}$/);
    const p = randomTokenParts();
    expect(p.id).toMatch(/^[a-z0-9]{6}$/);
    expect(p.secret).toMatch(/^[a-z0-9]{16}$/);
    expect(parseToken(formatJoinToken(HASH, p))).toEqual({ ...p, caHash: HASH });
  });
});

describe('parseToken', () => {
  it.each([
    ['abc123.0123456789abcdef', T],
    [`K10${HASH}::abc123.0123456789abcdef`, { ...T, caHash: HASH }],
    [` ${formatJoinToken(HASH, T)}\n`, { ...T, caHash: HASH }],
  ])('reads %j', (s, want) => {
    expect(parseToken(s)).toEqual({ caHash: undefined, ...want });
    expect(parseToken(s, { anyCaseHash: true })).toEqual({ caHash: undefined, ...want });
  });

  it.each(['', 'abc123', 'abc123.short', 'ABC123.0123456789abcdef', `K10${HASH}:abc123.0123456789abcdef`, 'K10xyz::abc123.0123456789abcdef'])(
    'rejects %j',
    (s) => {
      expect(parseToken(s)).toBeUndefined();
      expect(parseToken(s, { anyCaseHash: true })).toBeUndefined();
    },
  );

  it('reads an upper-case CA hash only when asked to, and returns it in lower case', () => {
    const s = `K10${HASH.toUpperCase()}::abc123.0123456789abcdef`;
    expect(parseToken(s)).toBeUndefined();
    expect(parseToken(s, { anyCaseHash: true })).toEqual({ ...T, caHash: HASH });
  });
});

describe('caDerHash', () => {
  it('hashes the CA certificate’s DER into K10<hash>::<id>.<secret>', () => {
    expect(caDerHash(`${PEM}\n`)).toBe(PEM_DER_SHA256);
    expect(formatJoinToken(caDerHash(PEM), { id: 'abc123', secret: 's' })).toBe(`K10${PEM_DER_SHA256}::abc123.s`);
  });

  it('throws on a PEM without a certificate', () => {
    expect(() => caDerHash('not a certificate')).toThrow();
  });
});

describe('tokenSecret', () => {
  it('stores the token as a kube-system bootstrap-token Secret', () => {
    const s = tokenSecret(T, 'pi', Date.UTC(2030, 0, 2, 3, 4, 5, 600));
    expect({ ...s, data: undefined }).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bootstrap-token-abc123', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      data: undefined,
    });
    expect(decoded(s.data)).toEqual({
      'token-id': 'abc123',
      'token-secret': '0123456789abcdef',
      expiration: '2030-01-02T03:04:05Z',
      'usage-bootstrap-authentication': 'true',
      description: 'pi',
    });
    expect(tokenSecret(T, '').data.expiration).toBeUndefined();
  });
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
    ['another id', tokenSecret({ ...T, id: 'zzz999' }, 'd'), T, 'token id does not match its Secret'],
  ])('refuses %s', (_, secret, parts, reason) => {
    expect(tokenProblem(secret, parts, NOW)).toBe(reason);
  });

  it('refuses a token not meant for authentication', () => {
    const s = tokenSecret(T, 'd');
    s.data!['usage-bootstrap-authentication'] = Buffer.from('false').toString('base64');
    expect(tokenProblem(s, T, NOW)).toBe('not usable for authentication');
  });
});
