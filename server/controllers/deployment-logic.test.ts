import { describe, expect, it } from 'vitest';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import {
  type Action,
  findNewReplicaSet,
  getCondition,
  type Plan,
  planDeployment,
  REVISION,
  resolveFenceposts,
  scaledValue,
} from './deployment-logic.js';
import { podTemplateHash } from './pod-template-hash.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');

const template = (image: string): PodTemplateSpec => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

function deployment(replicas: number, image: string, strategy: Deployment['spec']['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1, creationTimestamp: at(0) },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(image), strategy, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 },
    status: {},
  };
}

/**
 * World is a tiny in-memory cluster: it applies plans like the controller shell, and settles
 * ReplicaSet statuses like the ReplicaSet controller plus a kubelet whose pods are ready at once
 * (or never, with available=false).
 */
class World {
  rss: ReplicaSet[] = [];
  pods = new Map<string, KubeObject[]>();
  clock = T0;
  events: string[] = [];
  private serial = 0;
  constructor(public d: Deployment) {}

  step(): Plan {
    const plan = planDeployment({ deployment: this.d, replicaSets: this.rss, podsByReplicaSet: this.pods, now: this.clock, nameTaken: (n) => this.rss.some((r) => r.metadata.name === n) });
    for (const a of plan.actions) this.apply(a);
    if (plan.status) this.d = { ...this.d, status: plan.status };
    this.clock += 1000;
    return plan;
  }

  private apply(a: Action): void {
    if (a.kind === 'setRevision') {
      this.d = { ...this.d, metadata: { ...this.d.metadata, annotations: { ...this.d.metadata.annotations, [REVISION]: a.revision } } };
    } else if (a.kind === 'createReplicaSet') {
      const rs = structuredClone(a.rs);
      rs.metadata.uid = `rs-${++this.serial}`;
      rs.metadata.generation = 1;
      rs.metadata.creationTimestamp = at((this.clock - T0) / 1000);
      rs.status = { replicas: 0 };
      this.rss.push(rs);
      this.events.push(...a.events);
    } else if (a.kind === 'updateReplicaSet') {
      const i = this.rss.findIndex((r) => r.metadata.uid === a.rs.metadata.uid);
      const cur = this.rss[i];
      this.rss[i] = { ...cur, metadata: { ...a.rs.metadata, generation: cur.metadata.generation! + 1 }, spec: a.rs.spec };
      this.events.push(...a.events);
    } else {
      this.rss = this.rss.filter((r) => r.metadata.uid !== a.rs.metadata.uid);
    }
  }

  /** settle: every RS runs spec.replicas pods, available (or not). */
  settle(available = true): void {
    this.rss = this.rss.map((r) => {
      const n = r.spec.replicas ?? 0;
      return { ...r, status: { replicas: n, readyReplicas: available ? n : 0, availableReplicas: available ? n : 0, observedGeneration: r.metadata.generation } };
    });
  }

  sizes(): Record<string, number> {
    return Object.fromEntries(this.rss.map((r) => [r.spec.template.spec.containers[0].image, r.spec.replicas ?? 0]));
  }

  /** rollOut runs plan+settle until nothing changes, recording the sizes after each step. */
  rollOut(max = 30): Record<string, number>[] {
    const seen: Record<string, number>[] = [];
    for (let i = 0; i < max; i++) {
      const plan = this.step();
      this.settle();
      if (!plan.actions.some((a) => a.kind !== 'setRevision')) {
        if (!plan.status) break;
        continue;
      }
      seen.push(this.sizes());
    }
    return seen;
  }

  withTemplate(image: string): void {
    this.d = { ...this.d, metadata: { ...this.d.metadata, generation: this.d.metadata.generation! + 1 }, spec: { ...this.d.spec, template: template(image) } };
  }

  withReplicas(n: number): void {
    this.d = { ...this.d, metadata: { ...this.d.metadata, generation: this.d.metadata.generation! + 1 }, spec: { ...this.d.spec, replicas: n } };
  }
}

function settledWorld(d: Deployment): World {
  const w = new World(d);
  w.rollOut();
  return w;
}

describe('fenceposts', () => {
  it.each([
    ['25%', 3, true, 1],
    ['25%', 3, false, 0],
    ['25%', 4, true, 1],
    ['50%', 5, true, 3],
    ['50%', 5, false, 2],
    ['100%', 7, false, 7],
    [2, 10, true, 2],
    [undefined, 10, true, 0],
  ] as const)('%j of %i (round up %s) = %i', (v, total, up, want) => expect(scaledValue(v, total, up)).toBe(want));

  it.each([
    [3, '25%', '25%', 1, 0],
    [4, '25%', '25%', 1, 1],
    [3, 0, '10%', 0, 1], // both resolve to 0 → unavailable 1
    [10, '0%', '0%', 0, 1],
    [10, 3, 2, 3, 2],
  ] as const)('replicas %i, surge %j, unavailable %j → %i/%i', (replicas, s, u, surge, unavailable) => {
    const d = deployment(replicas, 'a', { type: 'RollingUpdate', rollingUpdate: { maxSurge: s, maxUnavailable: u } });
    expect(resolveFenceposts(d)).toEqual({ surge, unavailable });
  });
});

describe('a new Deployment', () => {
  it('creates one ReplicaSet at full size, named by the template hash', () => {
    const w = new World(deployment(3, 'nginx:1'));
    const plan = w.step();
    const hash = podTemplateHash(template('nginx:1'));
    expect(plan.actions.map((a) => a.kind)).toEqual(['createReplicaSet', 'setRevision']);
    const rs = w.rss[0];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec.selector).toEqual({ matchLabels: { app: 'web', 'pod-template-hash': hash } });
    expect(rs.spec.template.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    expect(rs.metadata.annotations).toEqual({ [REVISION]: '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    expect(rs.spec.replicas).toBe(3);
    expect(w.d.metadata.annotations?.[REVISION]).toBe('1');
    expect(w.events).toEqual([`Scaled up replica set web-${hash} to 3`]);
    expect(getCondition(w.d.status, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "web-${hash}"` });
  });

  it('copies annotations except the skipped ones', () => {
    const d = deployment(1, 'a');
    d.metadata.annotations = { 'kubernetes.io/change-cause': 'v1', 'kubectl.kubernetes.io/last-applied-configuration': '{}', [REVISION]: '7' };
    const w = new World(d);
    w.step();
    expect(w.rss[0].metadata.annotations).toMatchObject({ 'kubernetes.io/change-cause': 'v1', [REVISION]: '1' });
    expect(w.rss[0].metadata.annotations).not.toHaveProperty('kubectl.kubernetes.io/last-applied-configuration');
  });

  it('reports complete when all replicas are available', () => {
    const w = settledWorld(deployment(3, 'a'));
    const name = w.rss[0].metadata.name;
    expect(w.d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(w.d.status).not.toHaveProperty('unavailableReplicas');
    expect(getCondition(w.d.status, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(getCondition(w.d.status, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` });
  });
});

describe('rolling update step sequences', () => {
  it.each([
    [
      'surge 1, unavailable 0',
      3,
      { maxSurge: 1, maxUnavailable: 0 },
      [
        { a: 3, b: 1 },
        { a: 2, b: 1 },
        { a: 2, b: 2 },
        { a: 1, b: 2 },
        { a: 1, b: 3 },
        { a: 0, b: 3 },
      ],
    ],
    [
      'surge 0, unavailable 1',
      3,
      { maxSurge: 0, maxUnavailable: 1 },
      [
        { a: 2, b: 0 },
        { a: 2, b: 1 },
        { a: 1, b: 1 },
        { a: 1, b: 2 },
        { a: 0, b: 2 },
        { a: 0, b: 3 },
      ],
    ],
    [
      '25% / 25% of 4',
      4,
      { maxSurge: '25%', maxUnavailable: '25%' },
      [
        { a: 3, b: 1 },
        { a: 3, b: 2 },
        { a: 1, b: 2 },
        { a: 1, b: 4 },
        { a: 0, b: 4 },
      ],
    ],
    ['100% surge', 2, { maxSurge: '100%', maxUnavailable: 0 }, [{ a: 2, b: 2 }, { a: 0, b: 2 }]],
  ] as const)('%s', (_, replicas, ru, want) => {
    const w = settledWorld(deployment(replicas, 'a', { type: 'RollingUpdate', rollingUpdate: ru }));
    w.withTemplate('b');
    expect(w.rollOut()).toEqual(want);
    expect(w.d.metadata.annotations?.[REVISION]).toBe('2');
    expect(w.d.status).toMatchObject({ replicas, updatedReplicas: replicas, availableReplicas: replicas, observedGeneration: 2 });
  });

  it('keeps the old ReplicaSet until the new pod is available', () => {
    const w = settledWorld(deployment(3, 'a'));
    w.withTemplate('b');
    w.step();
    w.settle(false); // the new pod never becomes ready
    for (let i = 0; i < 5; i++) {
      expect(w.step().actions.filter((a) => a.kind !== 'setRevision')).toEqual([]);
      w.settle(false);
    }
    expect(w.sizes()).toEqual({ a: 3, b: 1 });
  });

  it('records Kubernetes scaling events', () => {
    const w = settledWorld(deployment(2, 'a'));
    const [oldName] = w.rss.map((r) => r.metadata.name);
    w.events = [];
    w.withTemplate('b');
    w.rollOut();
    const newName = w.rss[1].metadata.name;
    expect(w.events).toEqual([
      `Scaled up replica set ${newName} to 1`,
      `Scaled down replica set ${oldName} to 1 from 2`,
      `Scaled up replica set ${newName} to 2 from 1`,
      `Scaled down replica set ${oldName} to 0 from 1`,
    ]);
  });

  it('cleans up unhealthy old replicas first', () => {
    const w = settledWorld(deployment(4, 'a', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }));
    w.rss[0].status = { ...w.rss[0].status, availableReplicas: 2, readyReplicas: 2 }; // two old pods broken
    w.withTemplate('b');
    w.step();
    // Budget: 4 pods − (4 − 1) min available − 0 = 1 → one unhealthy old replica goes.
    expect(w.sizes()).toEqual({ a: 3, b: 0 });
  });
});

describe('Recreate', () => {
  it('scales old to 0, waits for old pods to go, then creates the new RS at full size', () => {
    const w = settledWorld(deployment(3, 'a', { type: 'Recreate' }));
    const oldUid = w.rss[0].metadata.uid!;
    w.withTemplate('b');
    w.step();
    expect(w.sizes()).toEqual({ a: 0 });
    w.settle();
    w.pods.set(oldUid, [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', deletionTimestamp: at(1) }, status: { phase: 'Running' } }]);
    w.step();
    expect(w.sizes()).toEqual({ a: 0 }); // a terminating old pod still blocks
    w.pods.set(oldUid, [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Succeeded' } }]);
    w.step();
    expect(w.sizes()).toEqual({ a: 0, b: 3 });
    w.settle();
    w.rollOut();
    expect(w.d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(getCondition(w.d.status, 'Available')?.status).toBe('True');
  });
});

describe('scaling', () => {
  it('resizes the only active ReplicaSet directly', () => {
    const w = settledWorld(deployment(3, 'a'));
    w.events = [];
    w.withReplicas(5);
    w.step();
    expect(w.sizes()).toEqual({ a: 5 });
    expect(w.rss[0].metadata.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('5');
    expect(w.events).toEqual([`Scaled up replica set ${w.rss[0].metadata.name} to 5 from 3`]);
    w.withReplicas(0);
    w.step();
    expect(w.sizes()).toEqual({ a: 0 });
  });

  it('scales several active ReplicaSets in proportion', () => {
    const w = settledWorld(deployment(10, 'a', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } }));
    w.withTemplate('b');
    w.step(); // new RS to 3, old down to 8 at once
    w.settle(false);
    expect(w.sizes()).toEqual({ a: 8, b: 3 });
    w.withReplicas(15);
    w.step();
    // 18 allowed − 11 running = 7 to add: old round(8·18/13)−8 = 3, new round(3·18/13)−3 = 1, leftover 3 to the largest.
    expect(w.sizes()).toEqual({ a: 14, b: 4 });
  });

  it('only scales a paused Deployment', () => {
    const w = settledWorld(deployment(3, 'a'));
    w.d = { ...w.d, spec: { ...w.d.spec, paused: true } };
    w.withTemplate('b');
    w.step();
    expect(w.sizes()).toEqual({ a: 3 });
    expect(getCondition(w.d.status, 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    w.withReplicas(4);
    w.step();
    expect(w.sizes()).toEqual({ a: 4 });
  });
});

describe('choosing the new ReplicaSet', () => {
  const rs = (name: string, image: string, created: number, hash = 'x'): ReplicaSet => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, creationTimestamp: at(created) },
    spec: { selector: {}, template: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } }, spec: { containers: [{ name: 'c', image }] } } },
  });
  it.each([
    ['the equal one', [rs('x', 'a', 1), rs('y', 'b', 2)], 'y'],
    ['the oldest of several equal', [rs('late', 'b', 5), rs('early', 'b', 2)], 'early'],
    ['none', [rs('x', 'a', 1)], undefined],
  ])('%s', (_, rss, want) => expect(findNewReplicaSet(deployment(1, 'b'), rss)?.metadata.name).toBe(want));
});

describe('rollout undo', () => {
  it('reuses the old ReplicaSet and bumps its revision to max+1', () => {
    const w = settledWorld(deployment(2, 'a'));
    w.withTemplate('b');
    w.rollOut();
    const [first] = w.rss;
    expect(w.rss.map((r) => r.metadata.annotations?.[REVISION])).toEqual(['1', '2']);
    w.withTemplate('a'); // what kubectl rollout undo does
    w.rollOut();
    expect(w.rss).toHaveLength(2);
    expect(w.rss[0].metadata.uid).toBe(first.metadata.uid);
    expect(w.rss[0].metadata.annotations).toMatchObject({ [REVISION]: '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(w.d.metadata.annotations?.[REVISION]).toBe('3');
    expect(w.sizes()).toEqual({ a: 2, b: 0 });
  });
});

describe('revision history', () => {
  it('deletes the oldest idle ReplicaSets beyond the limit', () => {
    const d = deployment(1, 'v0');
    d.spec.revisionHistoryLimit = 2;
    const w = settledWorld(d);
    for (const image of ['v1', 'v2', 'v3', 'v4']) {
      w.withTemplate(image);
      w.rollOut();
    }
    expect(w.rss.map((r) => r.spec.template.spec.containers[0].image)).toEqual(['v2', 'v3', 'v4']);
  });
});

describe('progress deadline and collisions', () => {
  it('times out without progress', () => {
    const d = deployment(1, 'a');
    d.spec.progressDeadlineSeconds = 10;
    const w = new World(d);
    const first = w.step();
    w.settle(false);
    expect(first.requeueAfterMs).toBe(11_000);
    w.step(); // the pod appearing (updatedReplicas 0 → 1) is progress: the deadline restarts
    w.settle(false);
    w.clock += 20_000;
    w.step();
    const name = w.rss[0].metadata.name;
    expect(getCondition(w.d.status, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` });
    expect(getCondition(w.d.status, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });

  it('bumps collisionCount when the name is taken by another ReplicaSet', () => {
    const plan = planDeployment({ deployment: deployment(1, 'a'), replicaSets: [], now: T0, nameTaken: () => true });
    expect(plan.actions).toEqual([]);
    expect(plan.status?.collisionCount).toBe(1);
  });
});
