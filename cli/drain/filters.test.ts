import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { aggregate, type DrainFlags, goDuration, planDrain } from './filters.js';

const pod = (name: string, o: { owner?: string; emptyDir?: boolean; mirror?: boolean; phase?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'shop',
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner, name: 'x', uid: 'u', controller: true }] } : {}),
    ...(o.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
  },
  spec: { containers: [], ...(o.emptyDir ? { volumes: [{ name: 'tmp', emptyDir: {} }] } : {}) },
  status: { phase: o.phase ?? 'Running' },
});

const flags = (f: Partial<DrainFlags> = {}): DrainFlags => ({ force: false, ignoreDaemonSets: false, deleteEmptyDirData: false, ...f });
const names = (ps: KubeObject[]) => ps.map((p) => p.metadata.name);

describe('planDrain', () => {
  it('evicts replicated pods and skips mirror pods', () => {
    const plan = planDrain([pod('a', { owner: 'ReplicaSet' }), pod('m', { mirror: true, owner: 'ReplicaSet' })], flags());
    expect(plan).toEqual({ evict: [pod('a', { owner: 'ReplicaSet' })], warning: '', errors: [] });
  });

  it.each([
    ['a pod without a controller', pod('solo'), 'cannot delete Pods that declare no controller (use --force to override): shop/solo'],
    ['a pod with emptyDir data', pod('tmp', { owner: 'ReplicaSet', emptyDir: true }), 'cannot delete Pods with local storage (use --delete-emptydir-data to override): shop/tmp'],
    ['a DaemonSet pod', pod('ds', { owner: 'DaemonSet' }), 'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): shop/ds'],
  ])('refuses %s, in kubectl’s words', (_n, p, error) => {
    expect(planDrain([p], flags()).errors).toEqual([error]);
  });

  it('groups pods refused for the same reason', () => {
    expect(planDrain([pod('a'), pod('b'), pod('ds', { owner: 'DaemonSet' })], flags()).errors).toEqual([
      'cannot delete Pods that declare no controller (use --force to override): shop/a, shop/b',
      'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): shop/ds',
    ]);
  });

  it('goes ahead with warnings when the flags allow it', () => {
    const plan = planDrain(
      [pod('solo'), pod('tmp', { owner: 'ReplicaSet', emptyDir: true }), pod('ds', { owner: 'DaemonSet' })],
      flags({ force: true, deleteEmptyDirData: true, ignoreDaemonSets: true }),
    );
    expect(names(plan.evict)).toEqual(['solo', 'tmp']);
    expect(plan.errors).toEqual([]);
    // As in kubectl, the emptyDir warning is overwritten by the later (passing) filter.
    expect(plan.warning).toBe('deleting Pods that declare no controller: shop/solo; ignoring DaemonSet-managed Pods: shop/ds');
  });

  it('lets finished pods go whatever they are', () => {
    const plan = planDrain([pod('done', { phase: 'Succeeded', emptyDir: true }), pod('ds', { owner: 'DaemonSet', phase: 'Failed' })], flags());
    expect(names(plan.evict)).toEqual(['done', 'ds']);
  });
});

describe('aggregate and goDuration', () => {
  it('prints like Go', () => {
    expect(aggregate(['a'])).toBe('a');
    expect(aggregate(['a', 'b'])).toBe('[a, b]');
    expect([500, 5000, 60_000, 90_000, 3_600_000].map(goDuration)).toEqual(['500ms', '5s', '1m0s', '1m30s', '1h0m0s']);
  });
});
