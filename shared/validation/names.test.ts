import { describe, expect, it } from 'vitest';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  nameIsDNSSubdomain,
  regexError,
  utf8Length,
} from './names.js';

describe('names', () => {
  it('words the DNS subdomain error exactly as Kubernetes', () => {
    expect(isDNS1123Subdomain('Bad_Name')).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    expect(isDNS1123Subdomain('a'.repeat(254))[0]).toBe('must be no more than 253 characters');
  });

  it('words the DNS label errors exactly as Kubernetes (double space included)', () => {
    expect(isDNS1123Label('Web')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDNS1035Label('1web')[0]).toMatch(/^a DNS-1035 label must consist of /);
    expect(isDNS1035Label('1web')[0]).toContain("(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  });

  it.each(['web', 'web-1', 'a', '0abc'])('accepts label %j', (s) => expect(isDNS1123Label(s)).toEqual([]));
  it.each(['', '-a', 'a-', 'A', 'a_b', 'a'.repeat(64)])('rejects label %j', (s) => expect(isDNS1123Label(s)).not.toEqual([]));
  it.each(['example.com', 'a.b-c.d', 'web'])('accepts subdomain %j', (s) => expect(isDNS1123Subdomain(s)).toEqual([]));
  it.each(['', '.a', 'a..b', 'A.com'])('rejects subdomain %j', (s) => expect(isDNS1123Subdomain(s)).not.toEqual([]));

  it.each(['app', 'app.kubernetes.io/name', 'MyName', 'my_name', 'a-b.c', 'example.com/Key_1'])('accepts qualified name %j', (s) =>
    expect(isQualifiedName(s)).toEqual([]),
  );
  it.each([
    ['', 'name part must be non-empty'],
    ['-a', 'name part must consist of alphanumeric characters'],
    ['/a', 'prefix part must be non-empty'],
    ['Bad.Prefix/a', 'prefix part a lowercase RFC 1123 subdomain'],
    ['a/b/c', 'a qualified name must consist of'],
    ['a'.repeat(64), 'name part must be no more than 63 characters'],
  ])('rejects qualified name %j', (s, msg) => expect(isQualifiedName(s).join('; ')).toContain(msg));

  it('checks label values', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('v1.2_x')).toEqual([]);
    expect(isValidLabelValue('-x')[0]).toContain("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'");
    expect(isValidLabelValue('a'.repeat(64))[0]).toBe('must be no more than 63 characters');
  });

  it('checks config keys, port names and env names', () => {
    expect(isConfigMapKey('app.properties')).toEqual([]);
    expect(isConfigMapKey('a/b')[0]).toContain("a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
    expect(isConfigMapKey('..data')).toEqual(["must not start with '..'"]);
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('80')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('my--port-name-toolong')).toHaveLength(2);
    expect(isEnvVarName('MY_VAR.1')).toEqual([]);
    expect(isEnvVarName('A=B')).toHaveLength(1);
  });

  it('lets generateName prefixes end in a dash', () => {
    expect(nameIsDNSSubdomain('web-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('web-', false)).not.toEqual([]);
  });

  it('builds regex errors and counts bytes like Go', () => {
    expect(regexError('m', 'f')).toBe("m (regex used for validation is 'f')");
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
  });
});
