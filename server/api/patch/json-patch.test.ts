import { describe, expect, it } from 'vitest';
import { PatchError } from './errors.js';
import { applyJsonPatch } from './json-patch.js';

const deployment = () => ({
  metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '3', other: 'x' } },
  spec: {
    replicas: 2,
    template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } },
  },
});

describe('applyJsonPatch (RFC 6902)', () => {
  it('applies kubectl rollout undo', () => {
    const template = {
      metadata: { creationTimestamp: null, labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: {} }] },
    };
    const out = applyJsonPatch(deployment(), [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
    ]) as any;
    expect(out.spec.template).toEqual(template);
    expect(out.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '2' });
  });

  it('supports add, remove, move, copy and test', () => {
    const out = applyJsonPatch({ a: [1, 2], b: { c: 1 } }, [
      { op: 'test', path: '/b/c', value: 1 },
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'remove', path: '/a/0' },
      { op: 'copy', from: '/b', path: '/d' },
      { op: 'move', from: '/b/c', path: '/e' },
      { op: 'add', path: '/metadata~1x', value: 'escaped' },
    ]);
    expect(out).toEqual({ a: [2, 3], b: {}, d: { c: 1 }, e: 1, 'metadata/x': 'escaped' });
  });

  it.each([
    [[{ op: 'replace', path: '/spec/missing', value: 1 }], 422, 'doc is missing key: /spec/missing'],
    [[{ op: 'remove', path: '/metadata/labels' }], 422, 'remove operation does not apply'],
    [[{ op: 'add', path: '/metadata/labels/app', value: 'x' }], 422, 'add operation does not apply'],
    [[{ op: 'test', path: '/metadata/name', value: 'db' }], 422, 'testing value /metadata/name failed'],
    [[{ op: 'explode', path: '/a' }], 422, 'Unexpected kind: explode'],
    [[{ op: 'replace', path: 'spec', value: 1 }], 422, 'JSON pointer'],
    [[{ op: 'add', path: '/x' }], 422, '"value" is required'],
    [[{ op: 'move', path: '/x' }], 422, '"from" is required'],
    [[{ op: 'replace', path: '/spec/template/spec/containers/5/image', value: 'x' }], 422, 'missing'],
    [{ op: 'add' }, 400, 'JSON array'],
    [['add'], 400, 'JSON object'],
  ])('rejects %j with %i', (ops, code, msg) => {
    let err: unknown;
    try {
      applyJsonPatch(deployment(), ops);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatchError);
    expect((err as PatchError).code).toBe(code);
    expect((err as PatchError).message).toContain(msg);
  });

  it('applies all or nothing and never modifies the original', () => {
    const original = deployment();
    const before = JSON.stringify(original);
    expect(() =>
      applyJsonPatch(original, [
        { op: 'replace', path: '/spec/replicas', value: 9 },
        { op: 'test', path: '/spec/replicas', value: 2 },
      ]),
    ).toThrow(PatchError);
    applyJsonPatch(original, [{ op: 'replace', path: '/spec/replicas', value: 9 }]);
    expect(JSON.stringify(original)).toBe(before);
  });

  it('refuses prototype pollution', () => {
    expect(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: 1 }])).toThrow();
    expect(({} as any).polluted).toBeUndefined();
  });
});
