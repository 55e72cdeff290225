import { describe, expect, it } from 'vitest';
import type { NodeAffinity } from '../../../shared/api/core.js';
import { FITS, SKIP } from '../framework.js';
import { filterNode, makeNode, makePod } from '../testing.js';
import { ERR_REASON_AFFINITY, nodeAffinity } from './node-affinity.js';

const rejected = { ok: false, reasons: [ERR_REASON_AFFINITY] };
const pi = makeNode('pi-1', { labels: { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux', zone: 'shed', cores: '4' } });

function required(...terms: NonNullable<NodeAffinity['requiredDuringSchedulingIgnoredDuringExecution']>['nodeSelectorTerms']): NodeAffinity {
  return { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } };
}

describe('NodeAffinity filter', () => {
  it.each<[string, Record<string, string> | undefined, NodeAffinity | undefined, object]>([
    ['no selector, no affinity', undefined, undefined, FITS],
    ['arch and os by nodeSelector', { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' }, undefined, FITS],
    ['wrong arch', { 'kubernetes.io/arch': 'amd64' }, undefined, rejected],
    ['hostname', { 'kubernetes.io/hostname': 'pi-1' }, undefined, FITS],
    ['missing label', { disk: 'ssd' }, undefined, rejected],
    ['required In', undefined, required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['shed', 'attic'] }] }), FITS],
    ['required NotIn', undefined, required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['shed'] }] }), rejected],
    ['required Exists', undefined, required({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }), FITS],
    ['required DoesNotExist', undefined, required({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }), FITS],
    ['required Gt', undefined, required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['2'] }] }), FITS],
    ['required Lt', undefined, required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['2'] }] }), rejected],
    ['required by metadata.name', undefined, required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['pi-1'] }] }), FITS],
    [
      'terms are ORed',
      undefined,
      required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['attic'] }] }, { matchExpressions: [{ key: 'cores', operator: 'Exists' }] }),
      FITS,
    ],
    ['no terms match no node', undefined, required(), rejected],
    ['selector and affinity must both match', { zone: 'attic' }, required({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }), rejected],
    ['preferred terms do not filter', undefined, { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } }] }, FITS],
  ])('%s', (_name, nodeSelector, affinity, want) => {
    expect(filterNode(nodeAffinity, makePod('p', { nodeSelector, nodeAffinity: affinity }), pi)).toEqual(want);
  });

  it('skips pods with neither selector nor required affinity', () => {
    expect(nodeAffinity.preFilter(makePod('p'))).toBe(SKIP);
    expect(nodeAffinity.preFilter(makePod('p', { nodeSelector: {} }))).toBe(SKIP);
  });
});
