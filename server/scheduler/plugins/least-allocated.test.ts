import { describe, expect, it } from 'vitest';
import { makeNode, makePod, scoreNodes } from '../testing.js';
import { leastAllocated, leastRequested } from './least-allocated.js';

describe('leastRequested', () => {
  it.each([
    [0, 1000, 100],
    [250, 1000, 75],
    [333, 1000, 66],
    [1000, 1000, 0],
    [1100, 1000, 0],
    [5, 0, 0],
  ])('requested %d of %d scores %d', (requested, capacity, want) => {
    expect(leastRequested(requested, capacity)).toBe(want);
  });
});

describe('LeastAllocated score', () => {
  it.each<[string, { cpu?: string; memory?: string }, number]>([
    // node: 4 cpu, 8Gi. (4000-1000)*100/4000 = 75, (8Gi-2Gi)*100/8Gi = 75.
    ['averages cpu and memory', { cpu: '1', memory: '2Gi' }, 75],
    ['cpu 50, memory 100 -> 75', { cpu: '2', memory: '0' }, 75],
    // 100m and 200Mi stand in for missing requests: (3900/4000 -> 97) and (8192-200)/8192 -> 97.
    ['missing requests use the non-zero defaults', {}, 97],
  ])('%s', (_name, req, want) => {
    expect(scoreNodes(leastAllocated, makePod('p', req), [makeNode('n')])).toEqual([want]);
  });

  it('prefers the emptier node, counting bound pods', () => {
    const scores = scoreNodes(leastAllocated, makePod('p', { cpu: '1', memory: '1Gi' }), [makeNode('a'), makeNode('b')], [
      makePod('x', { cpu: '2', memory: '4Gi', nodeName: 'a' }),
    ]);
    // a: cpu (4000-2000-1000)/4000 = 25, memory (8-4-1)/8 = 37 -> 31; b: 75 and 87 -> 81.
    expect(scores).toEqual([31, 81]);
  });
});
