import { describe, expect, it } from 'vitest';
import type { NodeAffinity } from '../../../shared/api/core.js';
import { makeNode, makePod, scoreNodes } from '../testing.js';
import { nodeAffinityScore } from './node-affinity-score.js';

const nodes = [makeNode('a', { labels: { zone: 'shed', disk: 'ssd' } }), makeNode('b', { labels: { zone: 'shed' } }), makeNode('c', { labels: { zone: 'attic' } })];

function preferred(...prefs: [number, string, string][]): NodeAffinity {
  return {
    preferredDuringSchedulingIgnoredDuringExecution: prefs.map(([weight, key, value]) => ({
      weight,
      preference: { matchExpressions: [{ key, operator: 'In', values: [value] }] },
    })),
  };
}

describe('NodeAffinity preferred score', () => {
  it.each<[string, NodeAffinity | undefined, number[] | 'skip']>([
    ['no preferences: skipped', undefined, 'skip'],
    ['one term: matching nodes score 100', preferred([1, 'zone', 'shed']), [100, 100, 0]],
    ['weights add up, best node is 100', preferred([30, 'zone', 'shed'], [10, 'disk', 'ssd']), [100, 75, 0]],
    ['nothing matches anywhere: skipped', preferred([5, 'zone', 'cellar']), 'skip'],
    ['an empty preference is ignored', { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: {} }] }, 'skip'],
  ])('%s', (_name, affinity, want) => {
    expect(scoreNodes(nodeAffinityScore, makePod('p', { nodeAffinity: affinity }), nodes)).toEqual(want);
  });
});
