import { describe, expect, it } from 'vitest';
import type { Pod, ReplicaSet } from '../../shared/api/core.js';
import {
  availableInMs,
  isPodActive,
  podFromTemplate,
  podsToDelete,
  replicaDiff,
  replicaSetStatus,
  shouldAdopt,
  shouldRelease,
  slowStartBatches,
} from './replicaset-logic.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');

interface PodOpts {
  node?: string;
  phase?: string;
  ready?: boolean;
  readySince?: number;
  created?: number;
  restarts?: number;
  cost?: number;
  deleting?: boolean;
  labels?: Record<string, string>;
  owner?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: at(o.created ?? 0),
      labels: o.labels ?? { app: 'web' },
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } } : {}),
      ...(o.deleting ? { deletionTimestamp: at(100) } : {}),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: o.owner, controller: true }] } : {}),
    },
    spec: { nodeName: o.node, containers: [{ name: 'c', image: 'i' }] },
    status: {
      phase: (o.phase ?? 'Running') as any,
      conditions: o.ready === undefined ? [] : [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: at(o.readySince ?? 0) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

function rs(replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-uid', generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'fe' }, annotations: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      ...extra,
    },
  };
}

describe('isPodActive', () => {
  it.each([
    ['running', pod('a'), true],
    ['pending', pod('a', { phase: 'Pending' }), true],
    ['succeeded', pod('a', { phase: 'Succeeded' }), false],
    ['failed', pod('a', { phase: 'Failed' }), false],
    ['terminating', pod('a', { deleting: true }), false],
  ])('%s', (_, p, want) => expect(isPodActive(p)).toBe(want));
});

describe('availableInMs', () => {
  it.each([
    ['not ready', pod('a', { ready: false }), 0, 10, undefined],
    ['no Ready condition', pod('a'), 0, 10, undefined],
    ['ready, minReadySeconds 0', pod('a', { ready: true, readySince: 10 }), 0, 10, 0],
    ['ready 3s of 5s', pod('a', { ready: true, readySince: 10 }), 5, 13, 2001],
    ['ready exactly 5s of 5s (must be after)', pod('a', { ready: true, readySince: 10 }), 5, 15, 1],
    ['ready 6s of 5s', pod('a', { ready: true, readySince: 10 }), 5, 16, 0],
  ])('%s', (_, p, minReady, nowS, want) => expect(availableInMs(p, minReady, T0 + nowS * 1000)).toBe(want));
});

describe('slowStartBatches', () => {
  it.each([
    [0, []],
    [1, [1]],
    [3, [1, 2]],
    [10, [1, 2, 4, 3]],
    [100, [1, 2, 4, 8, 16, 32, 37]],
  ])('%i pods', (n, want) => expect(slowStartBatches(n)).toEqual(want));
});

describe('replicaDiff', () => {
  it.each([
    [3, 0, 3],
    [3, 5, -2],
    [3, 3, 0],
    [2000, 0, 500],
    [0, 2000, -500],
  ])('want %i, have %i', (want, have, diff) => expect(replicaDiff(rs(want), have)).toBe(diff));
});

describe('podsToDelete', () => {
  it.each([
    ['unscheduled first', [pod('on-node', { node: 'n1', ready: true }), pod('unscheduled', { phase: 'Pending' })], 'unscheduled'],
    ['pending before running', [pod('running', { node: 'n1', ready: true }), pod('pending', { node: 'n1', phase: 'Pending' })], 'pending'],
    ['not ready before ready', [pod('ready', { node: 'n1', ready: true }), pod('unready', { node: 'n2', ready: false })], 'unready'],
    ['lower deletion cost first', [pod('cheap', { node: 'n1', ready: true, cost: -1 }), pod('dear', { node: 'n2', ready: true, cost: 5 })].reverse(), 'cheap'],
    ['doubled up on a node first', [pod('alone', { node: 'n1', ready: true }), pod('shared1', { node: 'n2', ready: true, created: 1 }), pod('shared2', { node: 'n2', ready: true })], 'shared1'],
    ['ready for less time first', [pod('old', { node: 'n1', ready: true, readySince: 1 }), pod('young', { node: 'n2', ready: true, readySince: 50 })], 'young'],
    ['more restarts first', [pod('calm', { node: 'n1', restarts: 0 }), pod('flappy', { node: 'n2', restarts: 7 })], 'flappy'],
    ['newest first', [pod('older', { node: 'n1', created: 1 }), pod('newer', { node: 'n2', created: 9 })], 'newer'],
  ])('%s', (_, pods, first) => expect(podsToDelete(pods, 1).map((p) => p.metadata.name)).toEqual([first]));

  it('returns n pods and none for n ≤ 0', () => {
    const pods = [pod('a', { created: 1 }), pod('b', { created: 2 }), pod('c', { created: 3 })];
    expect(podsToDelete(pods, 2).map((p) => p.metadata.name)).toEqual(['c', 'b']);
    expect(podsToDelete(pods, 0)).toEqual([]);
  });
});

describe('podFromTemplate', () => {
  it('copies labels and annotations and points at the ReplicaSet', () => {
    const p = podFromTemplate(rs(1));
    expect(p.metadata).toEqual({
      generateName: 'web-abc-',
      namespace: 'default',
      labels: { app: 'web', tier: 'fe' },
      annotations: { a: '1' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(p.spec.containers).toEqual([{ name: 'c', image: 'i' }]);
  });

  it('does not share the template', () => {
    const r = rs(1);
    podFromTemplate(r).spec.containers[0].image = 'changed';
    expect(r.spec.template.spec.containers[0].image).toBe('i');
  });
});

describe('replicaSetStatus', () => {
  it('counts replicas, labels, ready and available', () => {
    const pods = [
      pod('a', { ready: true, readySince: 0 }),
      pod('b', { ready: true, readySince: 8 }),
      pod('c', { ready: false, labels: { app: 'web', tier: 'fe' } }),
    ];
    pods[0].metadata.labels = { app: 'web', tier: 'fe' };
    const { status, recheckInMs } = replicaSetStatus(rs(3, { minReadySeconds: 5 }), pods, T0 + 10_000);
    expect(status).toEqual({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 2 });
    expect(recheckInMs).toBe(3001);
  });

  it('reports zero replicas without the optional counts', () => {
    expect(replicaSetStatus(rs(0), [], T0).status).toEqual({ replicas: 0, observedGeneration: 2 });
  });

  it('adds a ReplicaFailure condition, keeping its first transition time', () => {
    const r = rs(1);
    r.status = { replicas: 0, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'old', lastTransitionTime: at(1) }] };
    const failure = { type: 'ReplicaFailure', status: 'True' as const, reason: 'FailedCreate', message: 'quota', lastTransitionTime: at(9) };
    expect(replicaSetStatus(r, [], T0, failure).status.conditions).toEqual([{ ...failure, lastTransitionTime: at(1) }]);
    expect(replicaSetStatus(r, [], T0).status.conditions).toBeUndefined();
  });
});

describe('adoption', () => {
  it.each([
    ['matching orphan', pod('a'), true],
    ['other labels', pod('a', { labels: { app: 'db' } }), false],
    ['owned by someone', pod('a', { owner: 'x' }), false],
    ['terminating', pod('a', { deleting: true }), false],
    ['finished', pod('a', { phase: 'Succeeded' }), false],
  ])('%s', (_, p, want) => expect(shouldAdopt(rs(1), p)).toBe(want));

  it('releases an owned pod whose labels changed', () => {
    expect(shouldRelease(rs(1), pod('a', { owner: 'rs-uid', labels: { app: 'debug' } }))).toBe(true);
    expect(shouldRelease(rs(1), pod('a', { owner: 'rs-uid' }))).toBe(false);
  });
});
