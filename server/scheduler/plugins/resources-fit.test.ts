import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/core.js';
import { FITS } from '../framework.js';
import { filterNode, makeNode, makePod } from '../testing.js';
import { resourcesFit } from './resources-fit.js';

const node = makeNode('n', { cpu: '1', memory: '1Gi', pods: '3' });

function bound(n: number, cpu: string, memory: string): Pod[] {
  return Array.from({ length: n }, (_, i) => makePod(`b${i}`, { cpu, memory, nodeName: 'n' }));
}

describe('NodeResourcesFit filter', () => {
  it.each<[string, { cpu?: string; memory?: string }, Pod[], string[] | null]>([
    ['fits an empty node', { cpu: '500m', memory: '512Mi' }, [], null],
    ['fits exactly', { cpu: '1', memory: '1Gi' }, [], null],
    ['too much cpu', { cpu: '1100m' }, [], ['Insufficient cpu']],
    ['too much memory', { memory: '2Gi' }, [], ['Insufficient memory']],
    ['both, in Kubernetes order', { cpu: '2', memory: '2Gi' }, [], ['Insufficient cpu', 'Insufficient memory']],
    ['bound pods count', { cpu: '600m' }, bound(1, '500m', '0'), ['Insufficient cpu']],
    ['bound pods count for memory', { memory: '600Mi' }, bound(1, '0', '512Mi'), ['Insufficient memory']],
    ['terminated pods do not count', { cpu: '600m' }, bound(1, '500m', '0').map((p) => ({ ...p, status: { phase: 'Succeeded' as const } })), null],
    ['the pod count is a resource', {}, bound(3, '0', '0'), ['Too many pods']],
    ['all three', { cpu: '1', memory: '1Gi' }, bound(3, '100m', '1Mi'), ['Too many pods', 'Insufficient cpu', 'Insufficient memory']],
    ['a pod without requests fits a full node', {}, bound(2, '1', '1Gi'), null],
  ])('%s', (_name, req, pods, reasons) => {
    const want = reasons ? { ok: false, reasons } : FITS;
    expect(filterNode(resourcesFit, makePod('p', req), node, pods)).toEqual(want);
  });

  it('a node without allocatable cpu rejects any cpu request', () => {
    const bare = makeNode('n', { cpu: '0' });
    expect(filterNode(resourcesFit, makePod('p', { cpu: '1m' }), bare)).toEqual({ ok: false, reasons: ['Insufficient cpu'] });
  });
});
