import { describe, expect, it } from 'vitest';
import type { Toleration } from '../../../shared/api/core.js';
import type { Condition } from '../../../shared/api/meta.js';
import { FITS } from '../framework.js';
import { filterNode, makeNode, makePod } from '../testing.js';
import { nodeReady } from './node-ready.js';

const notReady = { ok: false, reasons: ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'] };
const unreachable = { ok: false, reasons: ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'] };

describe('NodeReady', () => {
  it.each<[string, Condition['status'] | null, Toleration[] | undefined, object]>([
    ['Ready=True fits', 'True', undefined, FITS],
    ['Ready=False is not-ready', 'False', undefined, notReady],
    ['Ready=Unknown is unreachable', 'Unknown', undefined, unreachable],
    ['no Ready condition is unreachable', null, undefined, unreachable],
    ['tolerating not-ready', 'False', [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }], FITS],
    ['tolerating not-ready does not cover unreachable', 'Unknown', [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }], unreachable],
    ['tolerating only NoExecute (the default tolerations) is not enough', 'False', [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], notReady],
  ])('%s', (_name, ready, tolerations, want) => {
    expect(filterNode(nodeReady, makePod('p', { tolerations }), makeNode('n', { ready }))).toEqual(want);
  });
});
