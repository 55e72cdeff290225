import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { systemClock } from '../../shared/clock.js';
import { type DesiredState, decode } from '../../shared/mqtt/payloads.js';
import { topics } from '../../shared/mqtt/topics.js';
import { ObjectService } from '../objects/object-service.js';
import { LogStore } from '../store/log-store.js';
import type { Bus } from './bus.js';
import { DesiredStatePublisher } from './desired-state.js';

const NS = findResource('', 'v1', 'namespaces')!;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const CMS = findResource('', 'v1', 'configmaps')!;
const SECRETS = findResource('', 'v1', 'secrets')!;

// recordingBus keeps what was published, per topic, in order.
function recordingBus() {
  const sent: { topic: string; payload: Buffer; retain?: boolean }[] = [];
  const bus: Bus = {
    async publish(topic, payload, opts) {
      sent.push({ topic, payload: Buffer.from(payload), retain: opts?.retain });
    },
    async subscribe() {
      return async () => {};
    },
    async close() {},
  };
  const states = (node: string) => sent.filter((m) => m.topic === topics.desired(node)).map((m) => (m.payload.length ? decode<DesiredState>(m.payload)! : undefined));
  return { bus, sent, states };
}

const pod = (name: string, nodeName: string | undefined, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx' }], ...extra },
});

describe('DesiredStatePublisher', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let rec: ReturnType<typeof recordingBus>;
  let publisher: DesiredStatePublisher;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-desired-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    objects = new ObjectService(store, systemClock, {
      pods: { notReadyTolerationSeconds: 300 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    rec = recordingBus();
    publisher = new DesiredStatePublisher(objects, rec.bus, { debounceMs: 5 });
  });
  afterEach(async () => {
    await publisher.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes each node its pods and only the objects they reference, retained', async () => {
    await objects.create(CMS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf' }, data: { a: '1' } });
    await objects.create(SECRETS, 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw' }, data: { p: 'cHc=' } });
    await objects.create(SECRETS, 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other' }, data: { p: 'cHc=' } });
    await objects.create(PODS, 'default', pod('a', 'pi-1', { volumes: [{ name: 'v', configMap: { name: 'conf' } }], imagePullSecrets: [{ name: 'pw' }] }));
    await objects.create(PODS, 'default', pod('b', 'pi-2', { imagePullSecrets: [{ name: 'other' }] }));
    await objects.create(PODS, 'default', pod('pending', undefined));
    publisher.start();
    await publisher.idle();
    const [one] = rec.states('pi-1');
    expect(one!.pods.map((p) => p.metadata.name)).toEqual(['a']);
    expect(one!.pods[0].status).toBeUndefined();
    expect(one!.configMaps.map((c) => c.metadata.name)).toEqual(['conf']);
    expect(one!.secrets.map((s) => s.metadata.name)).toEqual(['pw']);
    expect(one!.revision).toBe(store.revision);
    expect(rec.states('pi-2')[0]!.secrets.map((s) => s.metadata.name)).toEqual(['other']);
    expect(rec.sent.every((m) => m.retain)).toBe(true);
  });

  it('republishes only the nodes a change concerns, and nothing for status-only changes', async () => {
    await objects.create(CMS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf' }, data: { a: '1' } });
    for (let n = 0; n < 50; n++) {
      const extra = n === 7 ? { volumes: [{ name: 'v', configMap: { name: 'conf' } }] } : {};
      for (let p = 0; p < 3; p++) await objects.create(PODS, 'default', pod(`p${n}-${p}`, `node-${n}`, extra));
    }
    publisher.start();
    await publisher.idle();
    expect(rec.sent).toHaveLength(50);
    rec.sent.length = 0;

    await objects.mutate(PODS, 'default', 'p3-0', (p) => ({ ...p, status: { phase: 'Running' } }), { subresource: 'status' });
    await publisher.idle();
    expect(rec.sent).toHaveLength(0);

    await objects.mutate(CMS, 'default', 'conf', (c) => ({ ...c, data: { a: '2' } }));
    await objects.delete(PODS, 'default', 'p3-1');
    await publisher.idle();
    expect(rec.sent.map((m) => m.topic).sort()).toEqual([topics.desired('node-3'), topics.desired('node-7')]);
    expect(rec.states('node-7')[0]!.configMaps[0].data).toEqual({ a: '2' });
    expect(rec.states('node-3')[0]!.pods.map((p) => p.metadata.name)).toEqual(['p3-0', 'p3-2']);
  });

  it('coalesces a burst into one message per node', async () => {
    publisher.start();
    await Promise.all([1, 2, 3, 4, 5].map((i) => objects.create(PODS, 'default', pod(`p${i}`, 'pi-1'))));
    await publisher.idle();
    const states = rec.states('pi-1');
    expect(states.length).toBeLessThanOrEqual(2);
    expect(states.at(-1)!.pods).toHaveLength(5);
  });

  it('publishes graceful deletion, and clears the retained state of a deleted node', async () => {
    await objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi-1' }, spec: {} });
    publisher.start();
    await publisher.idle();
    expect(rec.states('pi-1')).toEqual([{ v: 1, revision: expect.any(Number), pods: [], configMaps: [], secrets: [] }]);
    await objects.create(PODS, 'default', pod('a', 'pi-1'));
    await publisher.idle();
    await objects.delete(PODS, 'default', 'a');
    await publisher.idle();
    expect(rec.states('pi-1').at(-1)!.pods[0].metadata.deletionTimestamp).toBeDefined();
    await objects.delete(PODS, 'default', 'a', { gracePeriodSeconds: 0 });
    await objects.delete(NODES, '', 'pi-1');
    await publisher.idle();
    expect(rec.states('pi-1').map((s) => s?.pods.length)).toEqual([0, 1, 1, undefined]);
  });
});
