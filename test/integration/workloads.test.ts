// workloads: the Deployment and ReplicaSet controllers together on a real LogStore (libSQL file)
// and ObjectService, with a fake kubelet that reports every pod Running and Ready. Checks what
// kubectl relies on: rollouts finish with the status `rollout status` waits for, `scale` resizes,
// `rollout undo` reuses the old ReplicaSet under a new revision, Recreate never overlaps.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { rfc3339 } from '../../shared/clock.js';
import type { Controller } from '../../server/controllers/context.js';
import { deploymentController } from '../../server/controllers/deployment.js';
import { controllerOf, inform, nsKey, splitKey } from '../../server/controllers/informer.js';
import { WorkQueue } from '../../server/controllers/queue.js';
import { replicaSetController } from '../../server/controllers/replicaset.js';
import type { ObjectService } from '../../server/objects/object-service.js';
import { type Harness, startHarness } from '../lib/controller-harness.js';

const PODS = findResource('', 'v1', 'pods')!;
const EVENTS = findResource('', 'v1', 'events')!;
const RS = findResource('apps', 'v1', 'replicasets')!;
const DEPLOY = findResource('apps', 'v1', 'deployments')!;
const REVISION = 'deployment.kubernetes.io/revision';

// fakeKubelet marks every pod Running and Ready through the status subresource, as an agent would.
function fakeKubelet(objects: ObjectService): Controller {
  const queue = new WorkQueue(async (key) => {
    const [ns, name] = splitKey(key);
    await objects.mutate(
      PODS,
      ns,
      name,
      (p) => {
        if (p.metadata.deletionTimestamp || p.status?.phase === 'Running') return undefined;
        const now = rfc3339(Date.now());
        p.status = { ...p.status, phase: 'Running', startTime: now, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] };
        return p;
      },
      { subresource: 'status' },
    );
  }, { concurrency: 16 });
  let watch: { close(): void } | undefined;
  return {
    name: 'fake-kubelet',
    start: () => {
      watch = inform(objects, PODS, { added: (p) => queue.add(nsKey(p)) });
    },
    stop: () => {
      watch?.close();
      queue.stop();
    },
    idle: () => queue.idle(),
  };
}

/** rolloutStatus applies kubectl's `rollout status` checks (KUBECTL.md §4), in order. */
function rolloutStatus(d: Deployment): string {
  const s = d.status ?? {};
  const want = d.spec.replicas ?? 1;
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return 'Waiting for deployment spec update to be observed...';
  if (s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) return 'exceeded its progress deadline';
  if ((s.updatedReplicas ?? 0) < want) return `${s.updatedReplicas ?? 0} out of ${want} new replicas have been updated...`;
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return `${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas are pending termination...`;
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return `${s.availableReplicas ?? 0} of ${s.updatedReplicas} updated replicas are available...`;
  return `deployment "${d.metadata.name}" successfully rolled out`;
}

describe('deployments and replica sets', () => {
  let h: Harness;
  let objects: ObjectService;

  beforeEach(async () => {
    h = await startHarness((ctx, o) => [replicaSetController(ctx), deploymentController(ctx), fakeKubelet(o)]);
    ({ objects } = h);
  });

  afterEach(() => h.stop());

  const until = (what: string, check: () => boolean, timeoutMs?: number) => h.until(what, check, timeoutMs);


  const deployment = (name = 'web') => objects.find(DEPLOY, 'default', name) as Deployment;
  const replicaSets = (name = 'web') => (objects.list(RS, { namespace: 'default' }).items as ReplicaSet[]).filter((r) => controllerOf(r)?.uid === deployment(name).metadata.uid);
  const podsOf = (rs: KubeObject) => objects.list(PODS, { namespace: 'default' }).items.filter((p) => controllerOf(p)?.uid === rs.metadata.uid && !p.metadata.deletionTimestamp);
  const runningPods = (name = 'web') => replicaSets(name).flatMap(podsOf).filter((p) => p.status?.phase === 'Running');
  const rolledOut = (name = 'web') => rolloutStatus(deployment(name)) === `deployment "${name}" successfully rolled out`;
  const image = (o: KubeObject) => o.spec.template.spec.containers[0].image;

  function create(name: string, replicas: number, strategy?: Deployment['spec']['strategy']) {
    return objects.create(DEPLOY, 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, annotations: { 'kubernetes.io/change-cause': 'first' } },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        strategy,
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] } },
      },
    });
  }

  const update = (name: string, fn: (d: KubeObject) => void) =>
    objects.mutate(DEPLOY, 'default', name, (d) => {
      fn(d);
      return d;
    });

  it('rolls out, updates, scales, undoes and replaces pods', async () => {
    await create('web', 3);
    await until('first rollout', () => rolledOut() && runningPods().length === 3);
    expect(replicaSets()).toHaveLength(1);
    const [first] = replicaSets();
    expect(first.metadata.annotations).toMatchObject({ [REVISION]: '1', 'kubernetes.io/change-cause': 'first' });
    expect(deployment().metadata.annotations?.[REVISION]).toBe('1');
    expect(first.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': first.metadata.labels!['pod-template-hash'] });
    expect(getCondition(deployment(), 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(getCondition(deployment(), 'Progressing')).toMatchObject({ reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${first.metadata.name}" has successfully progressed.` });

    // A new image: a second ReplicaSet takes over, the first is scaled to 0 and kept.
    await update('web', (d) => {
      d.metadata.annotations = { ...d.metadata.annotations, 'kubernetes.io/change-cause': 'second' };
      d.spec.template.spec.containers[0].image = 'nginx:1.26';
    });
    await until('second rollout', () => rolledOut() && replicaSets().length === 2 && runningPods().every((p) => p.spec.containers[0].image === 'nginx:1.26') && runningPods().length === 3);
    const second = replicaSets().find((r) => image(r) === 'nginx:1.26')!;
    expect(second.metadata.annotations).toMatchObject({ [REVISION]: '2', 'kubernetes.io/change-cause': 'second' });
    expect(objects.find(RS, 'default', first.metadata.name!)!.spec.replicas).toBe(0);
    expect(deployment().status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(deployment().metadata.annotations?.[REVISION]).toBe('2');

    // kubectl scale.
    await update('web', (d) => {
      d.spec.replicas = 5;
    });
    await until('scale to 5', () => rolledOut() && runningPods().length === 5);
    expect(replicaSets()).toHaveLength(2);

    // kubectl rollout undo: the template of revision 1 (without its hash label) comes back.
    const oldTemplate = structuredClone(objects.find(RS, 'default', first.metadata.name!)!.spec.template);
    delete oldTemplate.metadata.labels['pod-template-hash'];
    await update('web', (d) => {
      d.spec.template = oldTemplate;
      d.metadata.annotations = { [REVISION]: '1', 'kubernetes.io/change-cause': 'first' };
    });
    await until('undo', () => rolledOut() && runningPods().length === 5 && runningPods().every((p) => p.spec.containers[0].image === 'nginx:1.25'));
    expect(replicaSets()).toHaveLength(2);
    const reused = objects.find(RS, 'default', first.metadata.name!)!;
    expect(reused.metadata.uid).toBe(first.metadata.uid);
    expect(reused.metadata.annotations?.[REVISION]).toBe('3');
    expect(deployment().metadata.annotations?.[REVISION]).toBe('3');

    // A deleted pod is replaced.
    const victim = runningPods()[0];
    await objects.delete(PODS, 'default', victim.metadata.name!);
    await until('replacement', () => runningPods().length === 5 && runningPods().every((p) => p.metadata.uid !== victim.metadata.uid));

    const events = objects.list(EVENTS, { namespace: 'default' }).items;
    const reasons = new Set(events.map((e) => e.reason));
    expect(reasons).toEqual(new Set(['SuccessfulCreate', 'SuccessfulDelete', 'ScalingReplicaSet']));
    expect(events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set ${first.metadata.name} to 3`)).toBe(true);
  });

  it('Recreate removes every old pod before it creates a new one', async () => {
    await create('batch', 2, { type: 'Recreate' });
    await until('first rollout', () => rolledOut('batch') && runningPods('batch').length === 2);
    let overlap = false;
    const watch = inform(objects, PODS, {
      added: (p) => {
        if (p.spec.containers[0].image !== 'nginx:1.27') return;
        const old = objects.list(PODS, { namespace: 'default' }).items.filter((o) => o.metadata.labels?.app === 'batch' && o.spec.containers[0].image !== 'nginx:1.27');
        if (old.length) overlap = true;
      },
    });
    await update('batch', (d) => {
      d.spec.template.spec.containers[0].image = 'nginx:1.27';
    });
    await until('recreate', () => rolledOut('batch') && runningPods('batch').length === 2 && runningPods('batch').every((p) => p.spec.containers[0].image === 'nginx:1.27'));
    watch.close();
    expect(overlap).toBe(false);
    expect(replicaSets('batch').map((r) => r.spec.replicas).sort()).toEqual([0, 2]);
  });

  it('creates many pods quickly', async () => {
    const started = Date.now();
    await create('big', 300);
    await until('300 pods', () => rolledOut('big') && runningPods('big').length === 300, 20_000);
    const seconds = (Date.now() - started) / 1000;
    expect(300 / seconds).toBeGreaterThan(100);
  });
});

function getCondition(d: Deployment, type: string) {
  return d.status?.conditions?.find((c) => c.type === type);
}
