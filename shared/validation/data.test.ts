import { describe, expect, it } from 'vitest';
import { validate } from './index.js';

const messages = (kind: string, obj: unknown, opts = {}) => validate(kind, obj, opts).map((c) => `${c.field}: ${c.message}`);
const cm = (extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, ...extra });
const secret = (extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, ...extra });

describe('ConfigMap validation', () => {
  it('accepts valid data', () => {
    expect(messages('ConfigMap', cm({ data: { 'app.properties': 'a=b', KEY_1: '' }, binaryData: { 'logo.png': 'iVBORw0KGgo=' } }))).toEqual([]);
  });

  it('checks keys and values', () => {
    expect(messages('ConfigMap', cm({ data: { 'a/b': 'x', n: 5 }, binaryData: { 'a/b': 'eA==', bin: '***' } }))).toEqual([
      "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      "binaryData[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      'data[a/b]: Invalid value: "a/b": duplicate of key present in binaryData',
      'data[n]: Invalid value: 5: data[n] in body must be of type string: "integer"',
      'binaryData[bin]: Invalid value: illegal base64 data at input byte 0',
    ]);
  });

  it('caps the size at 1 MiB', () => {
    expect(messages('ConfigMap', cm({ data: { big: 'x'.repeat(1024 * 1024 + 1) } }))).toEqual([': Too long: may not be more than 1048576 bytes']);
  });

  it('keeps immutable ConfigMaps immutable', () => {
    const old = cm({ data: { a: '1' }, immutable: true });
    expect(messages('ConfigMap', cm({ data: { a: '2' }, immutable: true }), { update: true, old })).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect(messages('ConfigMap', cm({ data: { a: '1' } }), { update: true, old })).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
  });
});

describe('Secret validation', () => {
  it('accepts base64 data and plain stringData', () => {
    expect(messages('Secret', secret({ type: 'Opaque', data: { password: 'czNjcjN0', k: '' }, stringData: { user: 'admin' } }))).toEqual([]);
  });

  it('rejects bad base64 without echoing the secret', () => {
    const causes = validate('Secret', secret({ data: { password: 's3cr3t!!', short: 'abc', pad: 'a=bc' } }));
    expect(causes.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'data[password]: Invalid value: illegal base64 data at input byte 6',
      'data[short]: Invalid value: illegal base64 data at input byte 0',
      'data[pad]: Invalid value: illegal base64 data at input byte 1',
    ]);
    expect(JSON.stringify(causes)).not.toContain('s3cr3t');
  });

  it('requires the keys of typed secrets', () => {
    expect(messages('Secret', secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }))).toEqual(['data[tls.key]: Required value']);
    expect(messages('Secret', secret({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{}' } }))).toEqual([]);
  });

  it('keeps the type immutable', () => {
    expect(messages('Secret', secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }), { update: true, old: secret({}) })).toEqual([
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
    ]);
  });
});
