import { describe, expect, it } from 'vitest';
import { applyPatch, PatchError } from './index.js';

const live = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, resourceVersion: '7' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'fluent-bit' }] },
    },
  },
};

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchError) return e.code;
    throw e;
  }
  return undefined;
};

describe('applyPatch', () => {
  it('dispatches merge patches (kubectl scale), ignoring Content-Type parameters', () => {
    const out: any = applyPatch('application/merge-patch+json; charset=utf-8', live, '{"spec":{"replicas":5}}');
    expect(out.spec.replicas).toBe(5);
    expect(out.spec.template.spec.containers).toHaveLength(2);
  });

  it('merge patch replaces lists, strategic merge patch merges them', () => {
    const body = { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } };
    const merged: any = applyPatch('application/merge-patch+json', live, body);
    const strategic: any = applyPatch('application/strategic-merge-patch+json', live, JSON.stringify(body));
    expect(merged.spec.template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:1.26' }]);
    expect(strategic.spec.template.spec.containers).toEqual([
      { name: 'nginx', image: 'nginx:1.26' },
      { name: 'log', image: 'fluent-bit' },
    ]);
  });

  it('dispatches JSON patches', () => {
    const out: any = applyPatch('application/json-patch+json', live, [{ op: 'replace', path: '/spec/replicas', value: 0 }]);
    expect(out.spec.replicas).toBe(0);
  });

  it('approximates server-side apply with a JSON or YAML body', () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', managedFields: [{ manager: 'x' }] },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
    };
    const out: any = applyPatch('application/apply-patch+yaml', live, JSON.stringify(manifest));
    expect(out.spec.replicas).toBe(3);
    expect(out.spec.template.spec.containers.map((c: any) => c.image)).toEqual(['nginx:1.27', 'fluent-bit']);
    expect(out.metadata.resourceVersion).toBe('7');
    expect(out.metadata.managedFields).toBeUndefined();

    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  key: "on"\n';
    expect(applyPatch('application/apply-patch+yaml', {}, yaml)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data: { key: 'on' },
    });
  });

  it('does not modify the original', () => {
    const before = JSON.stringify(live);
    applyPatch('application/strategic-merge-patch+json', live, { metadata: { labels: null } });
    applyPatch('application/merge-patch+json', live, { metadata: { labels: null } });
    expect(JSON.stringify(live)).toBe(before);
  });

  it.each([
    ['application/xml', '{}', 415],
    ['', '{}', 415],
    ['application/merge-patch+json', '{not json', 400],
    ['application/merge-patch+json', '[1]', 400],
    ['application/strategic-merge-patch+json', '"x"', 400],
    ['application/json-patch+json', '{}', 400],
    ['application/json-patch+json', '[{"op":"replace","path":"","value":3}]', 422],
    ['application/apply-patch+yaml', 'a: [', 400],
    ['application/apply-patch+yaml', '- 1', 400],
  ])('%s %s fails with %i', (type, body, code) => expect(codeOf(() => applyPatch(type, live, body))).toBe(code));
});
