import { describe, expect, it } from 'vitest';
import type { Toleration } from '../../../shared/api/core.js';
import { FITS } from '../framework.js';
import { filterNode, makeNode, makePod } from '../testing.js';
import { ERR_REASON_UNSCHEDULABLE, nodeUnschedulable } from './node-unschedulable.js';

const rejected = { ok: false, reasons: [ERR_REASON_UNSCHEDULABLE] };

describe('NodeUnschedulable', () => {
  it.each<[string, boolean | undefined, Toleration[] | undefined, object]>([
    ['a schedulable node fits', undefined, undefined, FITS],
    ['unschedulable: false fits', false, undefined, FITS],
    ['a cordoned node rejects', true, undefined, rejected],
    ['a cordoned node takes a pod tolerating the unschedulable taint', true, [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }], FITS],
    ['a toleration of everything', true, [{ operator: 'Exists' }], FITS],
    ['a NoExecute toleration is not enough', true, [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }], rejected],
  ])('%s', (_name, unschedulable, tolerations, want) => {
    expect(filterNode(nodeUnschedulable, makePod('p', { tolerations }), makeNode('n', { unschedulable }))).toEqual(want);
  });
});
