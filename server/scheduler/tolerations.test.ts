import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from '../../shared/api/core.js';
import { tolerates, toleratesTaint } from './tolerations.js';

const master: Taint = { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' };
const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
const evict: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoExecute' };

describe('toleratesTaint', () => {
  it.each<[string, Toleration, Taint, boolean]>([
    ['Exists with the key', { key: 'dedicated', operator: 'Exists' }, gpu, true],
    ['Exists with another key', { key: 'other', operator: 'Exists' }, gpu, false],
    ['Exists without a key tolerates every taint', { operator: 'Exists' }, master, true],
    ['Exists without a key and an effect', { operator: 'Exists', effect: 'NoExecute' }, gpu, false],
    ['Equal with the value', { key: 'dedicated', operator: 'Equal', value: 'gpu' }, gpu, true],
    ['Equal with another value', { key: 'dedicated', operator: 'Equal', value: 'cpu' }, gpu, false],
    ['operator defaults to Equal', { key: 'dedicated', value: 'gpu' }, gpu, true],
    ['Equal with no value matches a taint with no value', { key: master.key, operator: 'Equal' }, master, true],
    ['Equal with no value against a valued taint', { key: 'dedicated', operator: 'Equal' }, gpu, false],
    ['empty effect matches NoSchedule', { key: 'dedicated', value: 'gpu', effect: '' }, gpu, true],
    ['empty effect matches NoExecute', { key: 'dedicated', value: 'gpu' }, evict, true],
    ['effect must match when given', { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, evict, false],
    ['unknown operator', { key: 'dedicated', operator: 'Gt' as never, value: 'gpu' }, gpu, false],
  ])('%s', (_name, toleration, taint, want) => {
    expect(toleratesTaint(toleration, taint)).toBe(want);
  });

  it('tolerates is true when any toleration matches', () => {
    expect(tolerates(undefined, gpu)).toBe(false);
    expect(tolerates([{ key: 'x', operator: 'Exists' }], gpu)).toBe(false);
    expect(tolerates([{ key: 'x', operator: 'Exists' }, { key: 'dedicated', operator: 'Exists' }], gpu)).toBe(true);
  });
});
