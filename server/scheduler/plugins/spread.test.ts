import { describe, expect, it } from 'vitest';
import { makeNode, makePod, scoreNodes } from '../testing.js';
import { spread } from './spread.js';

const nodes = [makeNode('a'), makeNode('b'), makeNode('c')];

describe('Spread score', () => {
  it.each<[string, string[], number[] | 'skip']>([
    ['skips the first pod of a group', [], 'skip'],
    ['one on a: a scores 0, others 100', ['a'], [0, 100, 100]],
    ['two on a, one on b', ['a', 'a', 'b'], [0, 50, 100]],
    ['evenly spread: all equal', ['a', 'b', 'c'], [0, 0, 0]],
  ])('%s', (_name, placed, want) => {
    const bound = placed.map((n, i) => makePod(`w${i}`, { owner: 'rs-web', nodeName: n }));
    expect(scoreNodes(spread, makePod('new', { owner: 'rs-web' }), nodes, bound)).toEqual(want);
  });

  it('ignores pods of other owners', () => {
    const bound = [makePod('o', { owner: 'rs-other', nodeName: 'a' })];
    expect(scoreNodes(spread, makePod('new', { owner: 'rs-web' }), nodes, bound)).toBe('skip');
  });

  it('groups bare pods by their labels', () => {
    const bound = [makePod('o', { labels: { app: 'db' }, nodeName: 'b' })];
    expect(scoreNodes(spread, makePod('new', { labels: { app: 'db' } }), nodes, bound)).toEqual([100, 0, 100]);
  });
});
