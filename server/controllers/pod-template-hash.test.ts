import { describe, expect, it } from 'vitest';
import type { PodTemplateSpec } from '../../shared/api/core.js';
import { fnv32a, normalizeTemplate, podTemplateHash, safeEncodeString, stableStringify, templatesEqualIgnoringHash } from './pod-template-hash.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const tmpl = (image: string, extra: Record<string, unknown> = {}): PodTemplateSpec => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image }], ...extra },
});

describe('fnv32a', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('%j', (s, want) => expect(fnv32a(bytes(s))).toBe(want));
});

describe('safeEncodeString', () => {
  it('maps digits like rand.SafeEncodeString', () => expect(safeEncodeString('0123456789')).toBe('456789bcdf'));
});

describe('podTemplateHash', () => {
  it('is stable and in the safe alphabet', () => {
    const h = podTemplateHash(tmpl('nginx:1.25'));
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(podTemplateHash(tmpl('nginx:1.25'))).toBe(h);
  });

  it('ignores key order, empty values and the hash label', () => {
    const a = tmpl('nginx:1.25');
    const b: PodTemplateSpec = {
      spec: { containers: [{ image: 'nginx:1.25', name: 'nginx', resources: {} }] },
      metadata: { creationTimestamp: null, labels: { 'pod-template-hash': 'abc', app: 'web' } },
    };
    expect(podTemplateHash(b)).toBe(podTemplateHash(a));
  });

  it.each([
    ['another image', tmpl('nginx:1.26')],
    ['another label', { ...tmpl('nginx:1.25'), metadata: { labels: { app: 'api' } } }],
  ])('changes with %s', (_, t) => expect(podTemplateHash(t)).not.toBe(podTemplateHash(tmpl('nginx:1.25'))));

  it('changes with the collision count', () => {
    const t = tmpl('nginx:1.25');
    expect(new Set([podTemplateHash(t), podTemplateHash(t, 0), podTemplateHash(t, 1)]).size).toBe(3);
  });
});

describe('templatesEqualIgnoringHash', () => {
  it.each([
    ['same', tmpl('a'), tmpl('a'), true],
    ['image differs', tmpl('a'), tmpl('b'), false],
    ['hash label only', { ...tmpl('a'), metadata: { labels: { app: 'web', 'pod-template-hash': 'x' } } }, tmpl('a'), true],
    ['hostNetwork false vs absent (Go omitempty)', tmpl('a', { hostNetwork: false }), tmpl('a'), true],
    ['hostNetwork true vs absent', tmpl('a', { hostNetwork: true }), tmpl('a'), false],
    ['runAsUser 0 vs absent (pointer field)', tmpl('a', { securityContext: { runAsUser: 0 } }), tmpl('a'), false],
    ['quantities equal by value', tmpl('a', { containers: [{ name: 'nginx', image: 'a', resources: { requests: { cpu: '0.7', memory: '1Gi' } } }] }), tmpl('a', { containers: [{ name: 'nginx', image: 'a', resources: { requests: { cpu: '700m', memory: '1024Mi' } } }] }), true],
    ['quantities differ', tmpl('a', { containers: [{ name: 'nginx', image: 'a', resources: { requests: { cpu: '0.5' } } }] }), tmpl('a', { containers: [{ name: 'nginx', image: 'a', resources: { requests: { cpu: '1' } } }] }), false],
    ['annotation added (rollout restart)', { ...tmpl('a'), metadata: { labels: { app: 'web' }, annotations: { r: '1' } } }, tmpl('a'), false],
  ] as const)('%s', (_, a, b, want) => expect(templatesEqualIgnoringHash(a as PodTemplateSpec, b as PodTemplateSpec)).toBe(want));
});

describe('normalizeTemplate and stableStringify', () => {
  it('keeps list positions and sorts keys', () => {
    expect(stableStringify(normalizeTemplate({ spec: { containers: [], args: ['', 'x'] } as any }))).toBe('{"spec":{"args":["","x"]}}');
    expect(stableStringify({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});
