import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from '../../../shared/api/core.js';
import { FITS } from '../framework.js';
import { filterNode, makeNode, makePod } from '../testing.js';
import { taintToleration } from './taint-toleration.js';

const master: Taint = { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' };
const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
const drain: Taint = { key: 'maintenance', value: 'true', effect: 'NoExecute' };
const soft: Taint = { key: 'spot', value: 'true', effect: 'PreferNoSchedule' };

function rejected(reason: string) {
  return { ok: false, reasons: [reason] };
}

describe('TaintToleration filter', () => {
  it.each<[string, Taint[] | undefined, Toleration[] | undefined, object]>([
    ['no taints', undefined, undefined, FITS],
    ['Kubernetes text for a taint without value', [master], undefined, rejected('node(s) had untolerated taint {node-role.kubernetes.io/master: }')],
    ['Kubernetes text for a taint with value', [gpu], undefined, rejected('node(s) had untolerated taint {dedicated: gpu}')],
    ['NoExecute taints repel too', [drain], undefined, rejected('node(s) had untolerated taint {maintenance: true}')],
    ['PreferNoSchedule taints do not filter', [soft], undefined, FITS],
    ['Exists with the key', [gpu], [{ key: 'dedicated', operator: 'Exists' }], FITS],
    ['Exists without a key tolerates all', [master, gpu, drain], [{ operator: 'Exists' }], FITS],
    ['Equal with the value', [gpu], [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], FITS],
    ['Equal with another value', [gpu], [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }], rejected('node(s) had untolerated taint {dedicated: gpu}')],
    ['empty effect matches every effect', [gpu, { ...gpu, effect: 'NoExecute' }], [{ key: 'dedicated', value: 'gpu' }], FITS],
    ['wrong effect', [gpu], [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }], rejected('node(s) had untolerated taint {dedicated: gpu}')],
    ['the first untolerated taint is reported', [gpu, master], [{ key: 'dedicated', operator: 'Exists' }], rejected('node(s) had untolerated taint {node-role.kubernetes.io/master: }')],
  ])('%s', (_name, taints, tolerations, want) => {
    expect(filterNode(taintToleration, makePod('p', { tolerations }), makeNode('n', { taints }))).toEqual(want);
  });
});
