import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import type { PodDisruptionBudget } from '../../shared/api/policy.js';
import { rfc3339 } from '../../shared/clock.js';
import {
  activeDisruptions,
  budgetTargets,
  DELETION_TIMEOUT_MS,
  type FindWorkload,
  pdbSelects,
  pdbStatus,
  scaledValue,
  workloadScale,
} from './disruption-logic.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

const pdb = (spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status'], generation = 1): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'shop', uid: 'pdb-1', generation },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  ...(status ? { status } : {}),
});

const pod = (name: string, o: { ready?: boolean; deleting?: boolean; owner?: string; labels?: Record<string, string> } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'shop',
    labels: o.labels ?? { app: 'web' },
    ...(o.deleting ? { deletionTimestamp: rfc3339(NOW) } : {}),
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `${o.owner}-uid`, controller: true }] } : {}),
  },
  spec: {},
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

// A Deployment "web" (5 replicas) controlling ReplicaSet web-new; web-solo has no Deployment.
const workloads: Record<string, KubeObject> = {
  'ReplicaSet/web-new': {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-new', uid: 'web-new-uid', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'dep-uid', controller: true }] },
    spec: { replicas: 3 },
  },
  'ReplicaSet/web-solo': { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-solo', uid: 'web-solo-uid' }, spec: { replicas: 4 } },
  'Deployment/web': { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', uid: 'dep-uid' }, spec: { replicas: 5 } },
};
const find: FindWorkload = (kind, _ns, name) => workloads[`${kind}/${name}`];
const scaleOf = (ref: any, ns: string) => workloadScale(ref, ns, find);

describe('pdbSelects', () => {
  it.each([
    ['matching labels', { matchLabels: { app: 'web' } }, { app: 'web' }, true],
    ['other labels', { matchLabels: { app: 'web' } }, { app: 'db' }, false],
    ['an empty selector selects every pod', {}, { app: 'db' }, true],
    ['a null selector selects none', null, { app: 'web' }, false],
  ])('%s', (_n, selector, labels, want) => {
    expect(pdbSelects(pdb({ selector }), pod('p', { labels }))).toBe(want);
  });

  it('never selects across namespaces', () => {
    const other = { ...pod('p'), metadata: { ...pod('p').metadata, namespace: 'default' } };
    expect(pdbSelects(pdb({ selector: {} }), other)).toBe(false);
  });
});

describe('workloadScale and scaledValue', () => {
  it('counts a Deployment-controlled ReplicaSet at the Deployment’s scale, a lone one at its own', () => {
    expect(workloadScale({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-new', uid: 'web-new-uid' }, 'shop', find)).toEqual({ uid: 'dep-uid', replicas: 5 });
    expect(workloadScale({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-solo', uid: 'web-solo-uid' }, 'shop', find)).toEqual({ uid: 'web-solo-uid', replicas: 4 });
    expect(workloadScale({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-solo', uid: 'stale' }, 'shop', find)).toBeUndefined();
    expect(workloadScale({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'x' }, 'shop', find)).toBeUndefined();
  });

  it.each([
    [2, 10, 2],
    ['50%', 3, 2],
    ['25%', 4, 1],
    ['0%', 7, 0],
    ['100%', 7, 7],
  ])('%j of %i is %i (rounded up)', (v, total, want) => {
    expect(scaledValue(v, total)).toBe(want);
  });
});

describe('budgetTargets', () => {
  const three = [pod('a', { owner: 'web-new' }), pod('b', { owner: 'web-new' }), pod('c', { owner: 'web-new' })];
  it.each([
    ['minAvailable N counts the matching pods', { minAvailable: 2 }, three, { expectedPods: 3, desiredHealthy: 2 }],
    ['a percentage uses the controller’s replicas', { minAvailable: '50%' }, three, { expectedPods: 5, desiredHealthy: 3 }],
    ['maxUnavailable N uses the controller’s replicas', { maxUnavailable: 1 }, three, { expectedPods: 5, desiredHealthy: 4 }],
    ['maxUnavailable over the scale bottoms out at 0', { maxUnavailable: 9 }, three, { expectedPods: 5, desiredHealthy: 0 }],
    ['pods without a controller count one each', { maxUnavailable: '50%' }, [pod('x'), pod('y'), pod('z', { owner: 'web-solo' })], { expectedPods: 6, desiredHealthy: 3 }],
    ['neither bound expects nothing', {}, three, { expectedPods: 0, desiredHealthy: 0 }],
  ])('%s', (_n, spec, pods, want) => {
    expect(budgetTargets(pdb(spec), pods, scaleOf)).toEqual(want);
  });
});

describe('activeDisruptions', () => {
  it('keeps fresh entries, drops pods being deleted or gone, and expires old ones', () => {
    const old = rfc3339(NOW - DELETION_TIMEOUT_MS - 1000);
    const fresh = rfc3339(NOW - 1000);
    const budget = pdb({ minAvailable: 1 }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptedPods: { a: fresh, b: fresh, c: old, gone: fresh } });
    const got = activeDisruptions(budget, [pod('a'), pod('b', { deleting: true }), pod('c')], NOW);
    expect(got).toEqual({ disruptedPods: { a: fresh }, expired: ['c'], recheckAt: Date.parse(fresh) + DELETION_TIMEOUT_MS });
  });
});

describe('pdbStatus', () => {
  it('allows the healthy pods above the minimum, with a True condition', () => {
    const pods = [pod('a'), pod('b'), pod('c'), pod('d', { ready: false }), pod('e', { deleting: true })];
    const { status, recheckInMs } = pdbStatus(pdb({ minAvailable: 1 }), pods, scaleOf, NOW);
    expect(status).toEqual({
      observedGeneration: 1,
      disruptionsAllowed: 2,
      currentHealthy: 3,
      desiredHealthy: 1,
      expectedPods: 5,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: rfc3339(NOW) }],
    });
    expect(recheckInMs).toBeUndefined();
  });

  it('allows nothing at the minimum, and keeps the transition time while the condition holds', () => {
    const earlier = rfc3339(NOW - 60_000);
    const prev = { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2, conditions: [{ type: 'DisruptionAllowed', status: 'False' as const, reason: 'InsufficientPods', message: '', lastTransitionTime: earlier }] };
    const { status } = pdbStatus(pdb({ minAvailable: 2 }, prev, 2), [pod('a'), pod('b')], scaleOf, NOW);
    expect(status).toMatchObject({ observedGeneration: 2, disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 });
    expect(status.conditions).toEqual([{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 2, lastTransitionTime: earlier }]);
  });

  it('does not count a just-evicted pod as healthy, and rechecks when its entry expires', () => {
    const at = rfc3339(NOW - 1000);
    const prev = { disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptedPods: { a: at } };
    const { status, recheckInMs } = pdbStatus(pdb({ minAvailable: 2 }, prev), [pod('a'), pod('b'), pod('c')], scaleOf, NOW);
    expect(status).toMatchObject({ disruptedPods: { a: at }, currentHealthy: 2, disruptionsAllowed: 0 });
    expect(recheckInMs).toBe(Date.parse(at) + DELETION_TIMEOUT_MS - NOW + 1);
  });

  it('allows nothing while it expects no pods, even with maxUnavailable', () => {
    expect(pdbStatus(pdb({ maxUnavailable: 1 }), [], scaleOf, NOW).status).toMatchObject({ expectedPods: 0, disruptionsAllowed: 0 });
  });
});
