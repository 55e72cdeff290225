import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Taint } from '../../shared/api/core.js';
import type { Condition, KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { rfc3339, rfc3339Micro } from '../../shared/clock.js';
import { ObjectService } from '../objects/object-service.js';
import { LogStore } from '../store/log-store.js';
import type { ControllerContext } from './context.js';
import { eventRecorder } from './events.js';
import { NodeLifecycleController } from './node-lifecycle.js';
import { NOT_READY, UNREACHABLE } from './node-lifecycle-logic.js';
import { FakeTime } from '../../test/lib/fake-time.js';

const NS = findResource('', 'v1', 'namespaces')!;
const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const EVENTS = findResource('', 'v1', 'events')!;
const GRACE = 3_000;


const readyCondition = (status: Condition['status'], at: number): Condition => ({
  type: 'Ready',
  status,
  reason: status === 'True' ? 'KubeletReady' : 'KubeletNotReady',
  lastHeartbeatTime: rfc3339(at),
  lastTransitionTime: rfc3339(at),
});

describe('NodeLifecycleController', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let time: FakeTime;
  let controller: NodeLifecycleController;

  const node = () => objects.find(NODES, '', 'pi1')!;
  const ready = () => (node().status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');
  const taints = () => ((node().spec?.taints ?? []) as Taint[]).map((t) => `${t.key}:${t.effect}`);
  const renew = () =>
    objects.mutate(LEASES, 'kube-node-lease', 'pi1', (l) => ({ ...l, spec: { ...l.spec, renewTime: rfc3339Micro(time.now) } }));
  const reportReady = (status: Condition['status']) =>
    objects.mutate(NODES, '', 'pi1', (n) => ({ ...n, status: { ...n.status, conditions: [readyCondition(status, time.now)] } }), { subresource: 'status' });
  // step advances the clock one second at a time, letting the controller catch up after each.
  const step = async (seconds: number, alive = false) => {
    for (let i = 0; i < seconds; i++) {
      time.advance(1_000);
      if (alive) await renew();
      await controller.idle();
    }
  };
  const createNode = async (withLease = true) => {
    await objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi1' }, spec: {} });
    if (!withLease) return;
    await reportReady('True');
    await objects.create(LEASES, 'kube-node-lease', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'pi1' },
      spec: { holderIdentity: 'pi1', leaseDurationSeconds: 40, renewTime: rfc3339Micro(time.now) },
    });
  };
  const createPod = async (name: string, tolerations?: KubeObject['spec']['tolerations'], running = true) => {
    await objects.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { nodeName: 'pi1', containers: [{ name: 'app', image: 'nginx:1.27' }], tolerations },
    });
    if (!running) return;
    await objects.mutate(PODS, 'default', name, (p) => ({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }), {
      subresource: 'status',
    });
  };
  const deleting = (name: string) => objects.find(PODS, 'default', name)?.metadata.deletionTimestamp !== undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-nodes-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    time = new FakeTime();
    objects = new ObjectService(store, time.clock, {
      pods: { notReadyTolerationSeconds: 5 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    for (const name of ['default', 'kube-node-lease']) await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const ctx: ControllerContext = {
      objects,
      clock: time.clock,
      logger: pino({ level: 'silent' }),
      config: { nodeMonitorGracePeriod: GRACE, defaultNotReadyToleration: 5_000, clusterCidr: '10.42.0.0/16' },
      events: eventRecorder(objects, time.clock),
    };
    controller = new NodeLifecycleController(ctx, { delay: time.delay });
    controller.start();
  });
  afterEach(async () => {
    controller.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks a node whose lease went stale Unknown and unreachable, and brings it back', async () => {
    await createNode();
    await controller.idle();
    expect(controller.intervalMs).toBe(1_000);
    await step(3);
    expect(ready()?.status).toBe('True');
    expect(taints()).toEqual([]);

    await step(1);
    expect(ready()).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    const pressures = (node().status.conditions as Condition[]).filter((c) => c.type.endsWith('Pressure'));
    expect(pressures.map((c) => c.status)).toEqual(['Unknown', 'Unknown', 'Unknown']);
    expect(taints()).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
    expect(node().spec.taints[1].timeAdded).toBe(rfc3339(time.now));

    await renew();
    await controller.idle();
    expect(ready()).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(taints()).toEqual([]);
  });

  it('counts the grace from creation for a node that never sent a heartbeat', async () => {
    await createNode(false);
    await step(3);
    expect(taints()).toEqual([]);
    await step(1);
    expect(ready()).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated' });
    expect(taints()).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
  });

  it('taints a node its agent reports NotReady with not-ready, and untaints it when Ready again', async () => {
    await createNode();
    await reportReady('False');
    await controller.idle();
    expect(taints()).toEqual([`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]);
    await reportReady('True');
    await controller.idle();
    expect(taints()).toEqual([]);
  });

  it('evicts pods from an unreachable node after their toleration, and marks them not ready', async () => {
    await createNode();
    await createPod('default-toleration'); // the pod defaults add unreachable:NoExecute for 5s
    await createPod('forever', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]);
    await step(4);
    const unknownAt = time.now;
    expect(ready()?.status).toBe('Unknown');
    const podReady = (name: string) => objects.find(PODS, 'default', name)!.status.conditions.find((c: Condition) => c.type === 'Ready');
    expect(podReady('default-toleration')).toMatchObject({ status: 'False', lastTransitionTime: rfc3339(unknownAt) });
    expect(podReady('forever').status).toBe('False');

    await step(4);
    expect(deleting('default-toleration')).toBe(false);
    await step(1);
    expect(deleting('default-toleration')).toBe(true); // graceful: the agent finishes it when back
    expect(deleting('forever')).toBe(false);
    await vi.waitFor(() => {
      const events = objects.list(EVENTS, { namespace: 'default' }).items;
      expect(events.map((e) => [e.reason, e.message])).toContainEqual(['TaintManagerEviction', 'Marking for deletion Pod default/default-toleration']);
    });
    await step(60);
    expect(deleting('forever')).toBe(false);
  });

  it('evicts at once a pod that does not tolerate a NoExecute taint, including pods bound later', async () => {
    await createNode();
    await createPod('first');
    await objects.mutate(NODES, '', 'pi1', (n) => ({ ...n, spec: { ...n.spec, taints: [{ key: 'maintenance', effect: 'NoExecute' }] } }));
    await controller.idle();
    expect(deleting('first')).toBe(true);
    await createPod('second', undefined, false);
    await controller.idle();
    expect(deleting('second')).toBe(true);
  });

  it('leaves a pod alone when the node recovers before the toleration runs out', async () => {
    await createNode();
    await createPod('p');
    await step(4);
    expect(taints()).toContain(`${UNREACHABLE}:NoExecute`);
    await step(2);
    await step(1, true);
    expect(taints()).toEqual([]);
    await step(10, true);
    expect(deleting('p')).toBe(false);
  });
});
