// gc-namespace-nodes: the garbage collector, the namespace controller and the node lifecycle
// controller together, on a real LogStore (libSQL file) and ObjectService, with a fake clock and
// delay so that lease expiry and tolerations run without sleeping.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Taint } from '../../shared/api/core.js';
import type { Condition, KubeObject, OwnerReference } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { rfc3339, rfc3339Micro } from '../../shared/clock.js';
import type { Controller, ControllerContext } from '../../server/controllers/context.js';
import { eventRecorder } from '../../server/controllers/events.js';
import { GarbageCollector } from '../../server/controllers/garbage-collector.js';
import { NamespaceController } from '../../server/controllers/namespace.js';
import { NodeLifecycleController } from '../../server/controllers/node-lifecycle.js';
import { FakeTime } from '../lib/fake-time.js';
import { ObjectService } from '../../server/objects/object-service.js';
import { LogStore } from '../../server/store/log-store.js';

const NS = findResource('', 'v1', 'namespaces')!;
const CM = findResource('', 'v1', 'configmaps')!;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const RS = findResource('apps', 'v1', 'replicasets')!;


const ref = (o: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name!,
  uid: o.metadata.uid!,
  ...extra,
});

describe('garbage collection, namespaces and nodes', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let time: FakeTime;
  let ctx: ControllerContext;
  let controllers: Controller[];

  // settle lets every controller finish what the last change (and the changes it made) caused.
  const settle = async () => {
    for (let i = 0; i < 4; i++) await Promise.all(controllers.map((c) => c.idle()));
  };
  const step = async (seconds: number, renewLease = false) => {
    for (let i = 0; i < seconds; i++) {
      time.advance(1_000);
      if (renewLease) await renew('pi1');
      await settle();
    }
  };
  const renew = (name: string) =>
    objects.mutate(LEASES, 'kube-node-lease', name, (l) => ({ ...l, spec: { ...l.spec, renewTime: rfc3339Micro(time.now) } }));
  const replicaSet = (name: string, namespace = 'default') =>
    objects.create(RS, namespace, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, labels: { app: name } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
      },
    });
  const pod = (name: string, owner?: KubeObject, nodeName?: string, namespace = 'default') =>
    objects.create(PODS, namespace, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: owner ? { app: owner.metadata.name! } : {}, ownerReferences: owner ? [ref(owner, { controller: true, blockOwnerDeletion: true })] : undefined },
      spec: { nodeName, containers: [{ name: 'app', image: 'nginx:1.27' }] },
    });
  const configMap = (name: string, owners: KubeObject[] = [], namespace = 'default') =>
    objects.create(CM, namespace, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, ownerReferences: owners.length ? owners.map((o) => ref(o)) : undefined },
    });
  const node = async (name: string) => {
    await objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
    await objects.mutate(
      NODES,
      '',
      name,
      (n) => ({ ...n, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: rfc3339(time.now) }] } }),
      { subresource: 'status' },
    );
    await objects.create(LEASES, 'kube-node-lease', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro(time.now) },
    });
  };
  const has = (info: typeof PODS, name: string, namespace = 'default') => objects.find(info, namespace, name) !== undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-gc-ns-nodes-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    time = new FakeTime();
    objects = new ObjectService(store, time.clock, {
      pods: { notReadyTolerationSeconds: 5 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    for (const name of ['default', 'kube-node-lease']) await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    ctx = {
      objects,
      clock: time.clock,
      logger: pino({ level: 'silent' }),
      config: { nodeMonitorGracePeriod: 3_000, defaultNotReadyToleration: 5_000, clusterCidr: '10.42.0.0/16' },
      events: eventRecorder(objects, time.clock),
    };
    controllers = [
      new GarbageCollector(ctx, { delay: time.delay }),
      new NamespaceController(ctx, { delay: time.delay, startDelayMs: 0 }),
      new NodeLifecycleController(ctx, { delay: time.delay }),
    ];
    for (const c of controllers) c.start();
  });
  afterEach(async () => {
    for (const c of controllers) c.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Background: deleting an owner removes its dependents, and theirs', async () => {
    const rs = await replicaSet('web');
    await pod('web-a', rs);
    await pod('web-b', rs);
    const parent = await configMap('parent');
    const child = await configMap('child', [parent]);
    await configMap('grandchild', [child]);
    await settle();

    await objects.delete(RS, 'default', 'web');
    await objects.delete(CM, 'default', 'parent', { propagationPolicy: 'Background' });
    await settle();
    expect([has(RS, 'web'), has(PODS, 'web-a'), has(PODS, 'web-b')]).toEqual([false, false, false]);
    expect([has(CM, 'parent'), has(CM, 'child'), has(CM, 'grandchild')]).toEqual([false, false, false]);
  });

  it('Foreground: the owner stays until its dependents are gone', async () => {
    await node('pi1');
    const rs = await replicaSet('api');
    await pod('api-a', rs, 'pi1'); // bound to a live node: terminates gracefully
    await pod('api-b', rs);
    await settle();

    await objects.delete(RS, 'default', 'api', { propagationPolicy: 'Foreground' });
    await settle();
    expect(objects.find(RS, 'default', 'api')?.metadata).toMatchObject({ finalizers: ['foregroundDeletion'] });
    expect(objects.find(RS, 'default', 'api')?.metadata.deletionTimestamp).toBeDefined();
    expect(has(PODS, 'api-b')).toBe(false);
    expect(objects.find(PODS, 'default', 'api-a')?.metadata.deletionTimestamp).toBeDefined();

    // The agent has stopped the containers and finishes the pod's deletion.
    await objects.delete(PODS, 'default', 'api-a', { gracePeriodSeconds: 0 });
    await settle();
    expect(has(RS, 'api')).toBe(false);
  });

  it('Orphan: strips the ownerReferences and keeps the dependents', async () => {
    const rs = await replicaSet('batch');
    await pod('batch-a', rs);
    await pod('batch-b', rs);
    await objects.delete(RS, 'default', 'batch', { propagationPolicy: 'Orphan' });
    await settle();
    expect(has(RS, 'batch')).toBe(false);
    for (const name of ['batch-a', 'batch-b']) {
      expect(has(PODS, name)).toBe(true);
      expect(objects.find(PODS, 'default', name)?.metadata.ownerReferences).toBeUndefined();
    }
  });

  it('empties a deleted namespace and removes it', async () => {
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    const rs = await replicaSet('cart', 'shop');
    await pod('cart-a', rs, undefined, 'shop');
    await configMap('settings', [], 'shop');
    await configMap('elsewhere');
    await objects.delete(NS, '', 'shop');
    expect(objects.find(NS, '', 'shop')?.status?.phase).toBe('Terminating');
    await settle();
    expect(objects.find(NS, '', 'shop')).toBeUndefined();
    for (const info of [RS, PODS, CM]) expect(objects.list(info, { namespace: 'shop' }).items).toEqual([]);
    expect(has(CM, 'elsewhere')).toBe(true);
  });

  it('a node with a stale lease goes Unknown and tainted, its pod goes after its toleration, and a fresh lease brings it back', async () => {
    await node('pi1');
    const rs = await replicaSet('edge');
    await pod('edge-a', rs, 'pi1');
    await settle();
    const readyOf = () => (objects.find(NODES, '', 'pi1')!.status.conditions as Condition[]).find((c) => c.type === 'Ready')!;
    const taints = () => ((objects.find(NODES, '', 'pi1')!.spec.taints ?? []) as Taint[]).map((t) => `${t.key}:${t.effect}`);

    await step(3);
    expect(readyOf().status).toBe('True');
    await step(1); // 4s without a heartbeat, grace 3s
    expect(readyOf()).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    expect(taints()).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);

    await step(4);
    expect(objects.find(PODS, 'default', 'edge-a')?.metadata.deletionTimestamp).toBeUndefined();
    await step(1); // the default toleration (5s) has run out
    const evicted = objects.find(PODS, 'default', 'edge-a')!;
    expect(evicted.metadata.deletionTimestamp).toBeDefined();
    expect(evicted.status.conditions ?? []).not.toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    expect(has(RS, 'edge')).toBe(true);

    await renew('pi1');
    await settle();
    expect(readyOf()).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(taints()).toEqual([]);
    await step(5, true);
    expect(readyOf().status).toBe('True');
  });

  it('keeps up with 50,000 pods: indexes them once, and collects one owner\'s pods quickly', async () => {
    for (const c of controllers) c.stop();
    const owners: KubeObject[] = [];
    for (let r = 0; r < 500; r++) owners.push(await configMap(`owner-${r}`));
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 50_000; i++) {
      const owner = owners[i % 500];
      writes.push(
        objects.create(PODS, 'default', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `p-${i}`, ownerReferences: [ref(owner)] },
          spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
        }),
      );
      if (writes.length === 2_000) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    const gc = new GarbageCollector(ctx, { delay: time.delay });
    controllers = [gc];
    let t = performance.now();
    gc.start();
    await settle();
    const startMs = performance.now() - t;

    t = performance.now();
    await objects.delete(CM, 'default', 'owner-7');
    await settle();
    const collectMs = performance.now() - t;
    expect(objects.list(PODS, { namespace: 'default' }).items).toHaveLength(49_900);
    expect(has(PODS, 'p-7')).toBe(false);
    expect(startMs).toBeLessThan(10_000);
    expect(collectMs).toBeLessThan(2_000);
  }, 120_000);
});
