import { describe, expect, it } from 'vitest';
import type { FieldCause } from './field.js';
import { validateObjectMeta } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';

const check = (meta: unknown, opts: { update?: boolean; old?: unknown } = {}) => {
  const out: FieldCause[] = [];
  validateObjectMeta(out, meta, { nameFn: nameIsDNSSubdomain, ...opts });
  return out;
};

describe('validateObjectMeta', () => {
  it('accepts a good object', () => {
    expect(
      check({
        name: 'web',
        namespace: 'default',
        labels: { app: 'web', 'app.kubernetes.io/part-of': 'shop' },
        annotations: { 'Example.com/Note': 'anything at all' },
        finalizers: ['example.com/cleanup'],
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u', controller: true }],
      }),
    ).toEqual([]);
  });

  it('reports a bad name as Kubernetes does', () => {
    expect(check({ name: 'Bad_Name' })).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message:
          "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      },
    ]);
  });

  it('needs a name or generateName', () => {
    expect(check({})).toEqual([{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    expect(check(undefined)).toHaveLength(1);
    expect(check({ generateName: 'web-' })).toEqual([]);
    expect(check({ generateName: 'Web-' })[0].field).toBe('metadata.generateName');
  });

  it('reports bad labels on the map field, with the key or value as the bad value', () => {
    const causes = check({ name: 'a', labels: { 'bad key': 'x', ok: '-bad-' } });
    expect(causes.map((c) => [c.field, c.message.slice(0, 24)])).toEqual([
      ['metadata.labels', 'Invalid value: "bad key"'],
      ['metadata.labels', 'Invalid value: "-bad-": '],
    ]);
  });

  it('caps annotations at 256 KiB', () => {
    const causes = check({ name: 'a', annotations: { big: 'x'.repeat(256 * 1024) } });
    expect(causes).toEqual([{ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: 'Too long: may not be more than 262144 bytes' }]);
  });

  it('checks owner references and finalizers', () => {
    const causes = check({
      name: 'a',
      ownerReferences: [
        { apiVersion: 'v1', kind: 'A', name: 'x', uid: '1', controller: true },
        { kind: 'B', name: 'y', uid: '2', controller: true },
      ],
      finalizers: ['bad finalizer'],
    });
    expect(causes.map((c) => c.field)).toEqual(['metadata.ownerReferences.apiVersion', 'metadata.ownerReferences', 'metadata.finalizers']);
    expect(causes[1].message).toContain('Only one reference can have Controller set to true');
  });

  it('reports wrong types instead of crashing', () => {
    const causes = check({ name: 5, labels: 'app=web', generation: 'one', finalizers: {} });
    expect(causes.map((c) => [c.reason, c.field])).toEqual([
      ['FieldValueTypeInvalid', 'metadata.name'],
      ['FieldValueRequired', 'metadata.name'],
      ['FieldValueTypeInvalid', 'metadata.generation'],
      ['FieldValueTypeInvalid', 'metadata.labels'],
      ['FieldValueTypeInvalid', 'metadata.finalizers'],
    ]);
    expect(check('x')[0].reason).toBe('FieldValueTypeInvalid');
  });

  it('keeps identity immutable on update', () => {
    const causes = check({ name: 'b', namespace: 'default' }, { update: true, old: { metadata: { name: 'a', namespace: 'default' } } });
    expect(causes).toEqual([{ reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "b": field is immutable' }]);
  });
});
