import { describe, expect, it } from 'vitest';
import { mergePatch } from './merge-patch.js';

describe('mergePatch (RFC 7386)', () => {
  // The examples of RFC 7386 appendix A.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, want) => expect(mergePatch(target, patch)).toEqual(want));

  it('scales and labels as kubectl does', () => {
    const d = { metadata: { name: 'web', labels: { app: 'web', old: 'x' } }, spec: { replicas: 1, paused: true } };
    expect(mergePatch(d, { spec: { replicas: 5 } })).toEqual({ ...d, spec: { replicas: 5, paused: true } });
    expect(mergePatch(d, { metadata: { labels: { old: null, tier: 'fe' } } })).toEqual({
      ...d,
      metadata: { name: 'web', labels: { app: 'web', tier: 'fe' } },
    });
  });

  it('does not modify or alias its inputs', () => {
    const target = { a: { b: [1, 2] } };
    const patch = { c: { d: [3] } };
    const out = mergePatch(target, patch) as any;
    out.a.b.push(9);
    out.c.d.push(9);
    expect(target).toEqual({ a: { b: [1, 2] } });
    expect(patch).toEqual({ c: { d: [3] } });
  });

  it('ignores __proto__ keys', () => {
    mergePatch({}, JSON.parse('{"__proto__":{"polluted":1}}'));
    expect(({} as any).polluted).toBeUndefined();
  });
});
