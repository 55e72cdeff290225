import { describe, expect, it } from 'vitest';
import { VALIDATORS, validate } from './index.js';

// junk builds random JSON: deep, mixed and often the wrong shape for any field.
function junk(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return Math.floor(rand() * 200000) - 100000;
    case 2:
      return rand() * 10;
    case 3:
      return rand() < 0.5;
    case 4:
      return ['', 'web', 'Bad_Name', '-', '80', 'app=web', '$patch', 'constructor', '__proto__', 'a'.repeat(300)][Math.floor(rand() * 10)];
    case 5:
      return undefined;
    case 6:
    case 7: {
      const keys = [
        'metadata', 'spec', 'status', 'name', 'labels', 'containers', 'ports', 'image', 'replicas', 'selector', 'matchLabels',
        'matchExpressions', 'template', 'data', 'type', 'env', 'resources', 'limits', 'requests', 'volumes', 'taints', 'involvedObject',
        'strategy', 'rollingUpdate', 'tolerations', 'livenessProbe', 'httpGet', 'port', 'values', 'operator', 'key',
      ];
      const o: Record<string, unknown> = {};
      const n = Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) o[keys[Math.floor(rand() * keys.length)]] = junk(rand, depth + 1);
      return o;
    }
    default:
      return Array.from({ length: Math.floor(rand() * 4) }, () => junk(rand, depth + 1));
  }
}

// mulberry32: a tiny seeded generator so a failure reproduces.
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('validate', () => {
  it('dispatches by kind and ignores unknown kinds', () => {
    expect(validate('Widget', { anything: true })).toEqual([]);
    expect(validate('toString', {})).toEqual([]);
    expect(validate('Pod', 'nope')).toEqual([
      { reason: 'FieldValueTypeInvalid', field: '', message: 'Invalid value: "nope": body must be of type object: "string"' },
    ]);
  });

  it('produces StatusCause-shaped causes', () => {
    const [c] = validate('Namespace', { metadata: { name: 'UPPER' } });
    expect(Object.keys(c).sort()).toEqual(['field', 'message', 'reason']);
  });

  it('never throws on random junk (fuzz)', () => {
    const rand = seeded(1234);
    for (let i = 0; i < 1500; i++) {
      for (const kind of Object.keys(VALIDATORS)) {
        const body = junk(rand, 0);
        const old = junk(rand, 0);
        let causes: unknown;
        expect(() => {
          causes = validate(kind, body, { update: rand() < 0.5, old });
        }, `${kind} ${JSON.stringify(body)}`).not.toThrow();
        expect(Array.isArray(causes)).toBe(true);
      }
    }
  });

  it('never throws when a valid object has one field replaced by junk', () => {
    const rand = seeded(99);
    const base = {
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'b', ports: [{ containerPort: 80 }] }] } },
        ports: [{ port: 80 }],
      },
      data: { a: 'b' },
    };
    const paths = [
      ['metadata'], ['metadata', 'labels'], ['spec'], ['spec', 'replicas'], ['spec', 'selector'], ['spec', 'selector', 'matchLabels'],
      ['spec', 'template'], ['spec', 'template', 'spec'], ['spec', 'template', 'spec', 'containers'], ['spec', 'ports'], ['data'],
    ];
    for (let i = 0; i < 500; i++) {
      const obj: any = structuredClone(base);
      const path = paths[Math.floor(rand() * paths.length)];
      let at = obj;
      for (const p of path.slice(0, -1)) at = at[p];
      at[path[path.length - 1]] = junk(rand, 2);
      for (const kind of Object.keys(VALIDATORS)) expect(() => validate(kind, obj, { update: true, old: base })).not.toThrow();
    }
  });
});
