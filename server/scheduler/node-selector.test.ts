import { describe, expect, it } from 'vitest';
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../shared/api/core.js';
import { compileTerm, matchesAnyTerm, matchesNodeSelector, matchesTerm } from './node-selector.js';

const labels = { zone: 'a', disk: 'ssd', cores: '4', 'kubernetes.io/arch': 'arm64' };

function match(expr: NodeSelectorRequirement): boolean {
  const term = compileTerm({ matchExpressions: [expr] });
  return term !== undefined && matchesTerm(term, labels, 'pi-1');
}

describe('node selector requirements', () => {
  it.each<[string, NodeSelectorRequirement, boolean]>([
    ['In matches a listed value', { key: 'zone', operator: 'In', values: ['a', 'b'] }, true],
    ['In fails on an unlisted value', { key: 'zone', operator: 'In', values: ['b'] }, false],
    ['In fails on a missing label', { key: 'rack', operator: 'In', values: ['a'] }, false],
    ['NotIn passes on an unlisted value', { key: 'zone', operator: 'NotIn', values: ['b'] }, true],
    ['NotIn fails on a listed value', { key: 'zone', operator: 'NotIn', values: ['a'] }, false],
    ['NotIn passes on a missing label', { key: 'rack', operator: 'NotIn', values: ['a'] }, true],
    ['Exists', { key: 'disk', operator: 'Exists' }, true],
    ['Exists on a missing label', { key: 'gpu', operator: 'Exists' }, false],
    ['DoesNotExist', { key: 'gpu', operator: 'DoesNotExist' }, true],
    ['DoesNotExist on a present label', { key: 'disk', operator: 'DoesNotExist' }, false],
    ['Gt', { key: 'cores', operator: 'Gt', values: ['2'] }, true],
    ['Gt is strict', { key: 'cores', operator: 'Gt', values: ['4'] }, false],
    ['Lt', { key: 'cores', operator: 'Lt', values: ['8'] }, true],
    ['Lt is strict', { key: 'cores', operator: 'Lt', values: ['4'] }, false],
    ['Gt on a non-integer label', { key: 'zone', operator: 'Gt', values: ['1'] }, false],
    ['Gt on a missing label', { key: 'ram', operator: 'Gt', values: ['1'] }, false],
    ['Gt with a non-integer bound is malformed', { key: 'cores', operator: 'Gt', values: ['1.5'] }, false],
    ['Gt with two values is malformed', { key: 'cores', operator: 'Gt', values: ['1', '2'] }, false],
    ['In without values is malformed', { key: 'zone', operator: 'In', values: [] }, false],
    ['Exists with values is malformed', { key: 'zone', operator: 'Exists', values: ['a'] }, false],
  ])('%s', (_name, expr, want) => {
    expect(match(expr)).toBe(want);
  });
});

describe('node selector terms', () => {
  it.each<[string, NodeSelectorTerm[], boolean]>([
    [
      'expressions in a term are ANDed',
      [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'In', values: ['hdd'] }] }],
      false,
    ],
    [
      'terms are ORed',
      [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }],
      true,
    ],
    ['an empty term matches nothing', [{}], false],
    ['no terms match nothing', [], false],
    ['matchFields metadata.name In', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['pi-1'] }] }], true],
    ['matchFields metadata.name In other', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['pi-2'] }] }], false],
    ['matchFields metadata.name NotIn', [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['pi-2'] }] }], true],
    ['matchFields with Exists is malformed', [{ matchFields: [{ key: 'metadata.name', operator: 'Exists' }] }], false],
    [
      'a malformed term does not spoil a good one',
      [{ matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['x'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
      true,
    ],
  ])('%s', (_name, terms, want) => {
    expect(matchesAnyTerm(terms.map(compileTerm), labels, 'pi-1')).toBe(want);
  });

  it.each<[Record<string, string>, boolean]>([
    [{}, true],
    [{ zone: 'a' }, true],
    [{ zone: 'a', disk: 'ssd' }, true],
    [{ zone: 'a', disk: 'hdd' }, false],
    [{ rack: '1' }, false],
    [{ 'kubernetes.io/arch': 'arm64' }, true],
    [{ 'kubernetes.io/arch': 'amd64' }, false],
  ])('nodeSelector %o matches: %s', (selector, want) => {
    expect(matchesNodeSelector(selector, labels)).toBe(want);
  });
});
