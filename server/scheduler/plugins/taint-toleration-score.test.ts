import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from '../../../shared/api/core.js';
import { makeNode, makePod, scoreNodes } from '../testing.js';
import { taintTolerationScore } from './taint-toleration-score.js';

const spot: Taint = { key: 'spot', value: 'true', effect: 'PreferNoSchedule' };
const old: Taint = { key: 'old-kernel', effect: 'PreferNoSchedule' };
const hard: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
const nodes = [makeNode('clean'), makeNode('one', { taints: [spot] }), makeNode('two', { taints: [spot, old] }), makeNode('hard', { taints: [hard] })];

describe('TaintToleration preferred score', () => {
  it.each<[string, Toleration[] | undefined, number[] | 'skip']>([
    ['fewer intolerable PreferNoSchedule taints score higher', undefined, [100, 50, 0, 100]],
    ['tolerated taints do not count', [{ key: 'spot', operator: 'Exists' }], [100, 100, 0, 100]],
    ['a toleration with an empty effect counts', [{ key: 'spot', value: 'true' }], [100, 100, 0, 100]],
    ['a NoSchedule toleration does not help', [{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }], [100, 50, 0, 100]],
    ['tolerating everything: skipped', [{ operator: 'Exists' }], 'skip'],
  ])('%s', (_name, tolerations, want) => {
    expect(scoreNodes(taintTolerationScore, makePod('p', { tolerations }), nodes)).toEqual(want);
  });

  it('skips when no node has a PreferNoSchedule taint', () => {
    expect(scoreNodes(taintTolerationScore, makePod('p'), [makeNode('a'), makeNode('b', { taints: [hard] })])).toBe('skip');
  });
});
