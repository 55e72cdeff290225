import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.js';

describe('Coalescer', () => {
  it('runs one task per key and merges what arrives meanwhile', async () => {
    const runs: [string, number[]][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const c = new Coalescer<number[]>(
      async (key, v) => {
        runs.push([key, v]);
        if (runs.length === 1) await gate;
      },
      (a, b) => [...a, ...b],
    );
    c.submit('a', [1]);
    c.submit('a', [2]);
    c.submit('a', [3]);
    c.submit('b', [9]);
    release();
    await c.idle();
    expect(runs).toEqual([
      ['a', [1]],
      ['b', [9]],
      ['a', [2, 3]],
    ]);
  });

  it('reports errors and carries on', async () => {
    const errors: string[] = [];
    const c = new Coalescer<number>(
      async (_k, v) => {
        if (v === 1) throw new Error('boom');
      },
      undefined,
      (err, key) => errors.push(`${key}: ${(err as Error).message}`),
    );
    c.submit('x', 1);
    c.submit('x', 2);
    await c.idle();
    expect(errors).toEqual(['x: boom']);
  });
});
