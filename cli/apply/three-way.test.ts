import { describe, expect, it } from 'vitest';
import { canonicalJson, LAST_APPLIED, lastAppliedOf, withLastApplied } from './last-applied.js';
import { isEmptyPatch, threeWayMergePatch } from './three-way.js';

const manifest = (replicas: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } }, ...extra },
});

describe('withLastApplied', () => {
  it('records the manifest as sorted compact JSON with empty annotations, ending in a newline', () => {
    const obj = withLastApplied({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { b: '1', a: '2' } });
    expect(obj.metadata.annotations![LAST_APPLIED]).toBe(
      '{"apiVersion":"v1","data":{"a":"2","b":"1"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"c"}}\n',
    );
    expect(lastAppliedOf(obj)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: '2', b: '1' }, metadata: { annotations: {}, name: 'c' } });
  });

  it('does not nest an old annotation inside the new one', () => {
    const once = withLastApplied(manifest(1));
    const twice = withLastApplied(once);
    expect(twice.metadata.annotations![LAST_APPLIED]).toBe(once.metadata.annotations![LAST_APPLIED]);
  });
});

describe('threeWayMergePatch', () => {
  const live = (m: any) => ({ ...structuredClone(m), status: { replicas: 1 }, metadata: { ...m.metadata, uid: 'u', resourceVersion: '7' } });

  it('is empty when the manifest matches what was applied and the live object', () => {
    const applied = withLastApplied(manifest(2));
    expect(isEmptyPatch(threeWayMergePatch(lastAppliedOf(applied), applied, live(applied)))).toBe(true);
  });

  it('sets changed fields and replaces lists whole', () => {
    const old = withLastApplied(manifest(2));
    const next = withLastApplied({ ...manifest(3), spec: { ...manifest(3).spec, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    const patch = threeWayMergePatch(lastAppliedOf(old), next, live(old));
    expect(patch.spec).toEqual({ replicas: 3, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } });
    expect((patch.metadata as any).annotations[LAST_APPLIED]).toBe(next.metadata.annotations![LAST_APPLIED]);
    expect(patch.status).toBeUndefined();
  });

  it('nulls fields the manifest dropped, but keeps fields others set', () => {
    const old = withLastApplied(manifest(2, { paused: true }));
    const current = { ...live(old), spec: { ...live(old).spec, progressDeadlineSeconds: 600 } };
    const patch = threeWayMergePatch(lastAppliedOf(old), withLastApplied(manifest(2)), current);
    expect(patch.spec).toEqual({ paused: null });
  });

  it('restores a field someone else changed (kubectl sends it again)', () => {
    const applied = withLastApplied(manifest(2));
    const scaled = { ...live(applied), spec: { ...applied.spec, replicas: 5 } };
    expect(threeWayMergePatch(lastAppliedOf(applied), applied, scaled)).toEqual({ spec: { replicas: 2 } });
  });

  it('ignores server defaults inside list items', () => {
    const applied = withLastApplied(manifest(2));
    const current = live(applied);
    current.spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
    expect(isEmptyPatch(threeWayMergePatch(lastAppliedOf(applied), applied, current))).toBe(true);
  });

  it('sends a list whole when the manifest dropped a field inside it', () => {
    const withPorts = manifest(2);
    withPorts.spec.template.spec.containers[0] = { ...withPorts.spec.template.spec.containers[0], ports: [{ containerPort: 80 }] } as any;
    const old = withLastApplied(withPorts);
    const patch = threeWayMergePatch(lastAppliedOf(old), withLastApplied(manifest(2)), live(old));
    expect((patch.spec as any).template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:1.25' }]);
  });

  it('sorts keys in canonical JSON', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});
