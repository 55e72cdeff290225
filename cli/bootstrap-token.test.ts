import { describe, expect, it } from 'vitest';
import { caHash, joinToken, randomToken, tokenSecret } from './bootstrap-token.js';

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

describe('bootstrap tokens', () => {
  it('makes ids and secrets of [a-z0-9]', () => {
    expect(randomToken(6)).toMatch(/^[a-z0-9]{6}$/);
    expect(randomToken(16)).toMatch(/^[a-z0-9]{16}$/);
  });

  it('stores the token as a kube-system bootstrap-token Secret', () => {
    const s = tokenSecret({ id: 'abc123', secret: '0123456789abcdef', expiresAt: Date.UTC(2030, 0, 2, 3, 4, 5, 600), description: 'pi' });
    expect(s).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bootstrap-token-abc123', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      stringData: {
        'token-id': 'abc123',
        'token-secret': '0123456789abcdef',
        expiration: '2030-01-02T03:04:05Z',
        'usage-bootstrap-authentication': 'true',
        description: 'pi',
      },
    });
    expect(tokenSecret({ id: 'a', secret: 'b', description: '' }).stringData.expiration).toBeUndefined();
  });

  it('hashes the CA certificate’s DER into K10<hash>::<id>.<secret>', () => {
    expect(joinToken(caHash(`${PEM}\n`), { id: 'abc123', secret: 's', description: '' })).toBe(`K10${PEM_DER_SHA256}::abc123.s`);
  });

  it('refuses a kubeconfig without a CA', () => {
    expect(() => caHash(undefined)).toThrow(/certificate-authority-data/);
  });
});
