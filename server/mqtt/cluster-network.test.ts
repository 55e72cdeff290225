import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { systemClock } from '../../shared/clock.js';
import {
  decode,
  isNetworkChanges,
  isNetworkMap,
  isNetworkSnapshot,
  isServiceState,
  type NetworkChanges,
  type NetworkMap,
  type NetworkMapNode,
  type NetworkSnapshot,
  type ServiceState,
} from '../../shared/mqtt/payloads.js';
import { clusterSubscriptions, nodeMayAccess, nodeMaySubscribe, serviceOfTopic, topics } from '../../shared/mqtt/topics.js';
import { ObjectService } from '../objects/object-service.js';
import { LogStore } from '../store/log-store.js';
import type { Bus, MessageHandler } from './bus.js';
import { ClusterNetworkPublisher } from './cluster-network.js';

const NS = findResource('', 'v1', 'namespaces')!;
const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const NODES = findResource('', 'v1', 'nodes')!;

// recordingBus keeps what was published, in order, and lets a test play the broker handing
// retained messages to a subscription.
function recordingBus() {
  const sent: { topic: string; payload: Buffer; retain?: boolean; qos?: number }[] = [];
  const subs: { pattern: string; handler: MessageHandler }[] = [];
  const bus: Bus = {
    async publish(topic, payload, opts) {
      sent.push({ topic, payload: Buffer.from(payload), retain: opts?.retain, qos: opts?.qos });
    },
    async subscribe(pattern, handler) {
      const sub = { pattern, handler };
      subs.push(sub);
      return async () => {
        subs.splice(subs.indexOf(sub), 1);
      };
    },
    async close() {},
  };
  const on = (topic: string) => sent.filter((m) => m.topic === topic);
  const services = (ns: string, name: string) => on(topics.service(ns, name)).map((m) => (m.payload.length ? decode<ServiceState>(m.payload)! : undefined));
  const changes = () => on(topics.networkChanges).map((m) => decode<NetworkChanges>(m.payload)!);
  const snapshots = () => on(topics.networkSnapshot).map((m) => decode<NetworkSnapshot>(m.payload)!);
  /** view: the network as an agent that heard every change message ends up with. */
  const view = (): NetworkMap => {
    const nodes = new Map<string, NetworkMapNode>();
    changes().forEach((c, i) => {
      expect(c.seq).toBe(i + 1); // numbered without gaps
      for (const ch of c.changes) {
        if ('deleted' in ch) nodes.delete(ch.name);
        else nodes.set(ch.name, ch);
      }
    });
    return { v: 1, nodes: [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name)) };
  };
  return { bus, sent, subs, services, changes, snapshots, view };
}

const service = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: name } },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...extra },
});

const endpoints = (name: string, ips: string[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name },
  subsets: [{ addresses: ips.map((ip) => ({ ip, nodeName: 'pi-1' })), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
});

const node = (name: string, podCIDR?: string, addresses: { type: string; address: string }[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: { addresses, conditions: [{ type: 'Ready', status: 'True' }] },
});

describe('ClusterNetworkPublisher', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let rec: ReturnType<typeof recordingBus>;
  let publisher: ClusterNetworkPublisher;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-clusternet-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    objects = new ObjectService(store, systemClock, {
      pods: { notReadyTolerationSeconds: 300 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    for (const name of ['default', 'team']) await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    rec = recordingBus();
    publisher = new ClusterNetworkPublisher(objects, rec.bus, { debounceMs: 5, snapshotMs: 10, changesIntervalMs: 0 });
  });
  afterEach(async () => {
    await publisher.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes each service with its endpoints, retained, and clears a deleted one', async () => {
    await objects.create(SERVICES, 'default', service('web'));
    await objects.create(ENDPOINTS, 'default', endpoints('web', ['10.42.0.5']));
    await objects.create(SERVICES, 'team', service('db'));
    await publisher.start();
    await publisher.idle();

    const [web] = rec.services('default', 'web');
    expect(isServiceState(web)).toBe(true);
    const created = objects.find(SERVICES, 'default', 'web')!;
    expect(web!.service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', uid: created.metadata.uid, labels: { app: 'web' } },
      spec: created.spec,
      status: { loadBalancer: {} },
    });
    expect(web!.service.spec.clusterIP).toMatch(/^10\.43\./);
    expect(web!.endpoints).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.42.0.5', nodeName: 'pi-1' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    });
    expect(rec.services('team', 'db')).toEqual([expect.objectContaining({ v: 1, endpoints: null })]);
    expect(rec.sent.every((m) => m.retain && m.qos === 1)).toBe(true);

    // Endpoints change: only that service is republished.
    rec.sent.length = 0;
    await objects.mutate(ENDPOINTS, 'default', 'web', (e) => ({ ...e, subsets: endpoints('web', ['10.42.0.5', '10.42.1.9']).subsets }));
    await publisher.idle();
    expect(rec.sent.map((m) => m.topic)).toEqual([topics.service('default', 'web')]);
    expect(rec.services('default', 'web')[0]!.endpoints!.subsets![0].addresses!.map((a) => a.ip)).toEqual(['10.42.0.5', '10.42.1.9']);

    // Service change, then deletion: the retained topic is cleared with an empty payload.
    await objects.mutate(SERVICES, 'team', 'db', (s) => ({ ...s, spec: { ...s.spec, ports: [{ port: 5432 }] } }));
    await publisher.idle();
    expect(rec.services('team', 'db').at(-1)!.service.spec.ports).toEqual([{ port: 5432, protocol: 'TCP', targetPort: 5432 }]);
    await objects.delete(SERVICES, 'team', 'db');
    await publisher.idle();
    const last = rec.sent.at(-1)!;
    expect(last).toMatchObject({ topic: topics.service('team', 'db'), retain: true });
    expect(last.payload.length).toBe(0);

    // Endpoints without a service publish nothing.
    rec.sent.length = 0;
    await objects.create(ENDPOINTS, 'team', endpoints('orphan', ['10.42.2.2']));
    await publisher.idle();
    expect(rec.sent).toHaveLength(0);
  });

  it('publishes nothing when a write leaves the content as it was', async () => {
    await objects.create(SERVICES, 'default', service('web'));
    await publisher.start();
    await publisher.idle();
    rec.sent.length = 0;
    // An annotation (not part of the payload) and a rewrite with equal data.
    await objects.mutate(SERVICES, 'default', 'web', (s) => ({ ...s, metadata: { ...s.metadata, annotations: { note: 'x' } } }));
    await objects.mutate(SERVICES, 'default', 'web', (s) => ({ ...s, spec: { ...s.spec } }));
    await publisher.idle();
    expect(rec.sent).toHaveLength(0);
  });

  it('coalesces a burst into one message per service', async () => {
    await publisher.start();
    await publisher.idle();
    await objects.create(SERVICES, 'default', service('web'));
    await objects.create(ENDPOINTS, 'default', endpoints('web', ['10.42.0.5']));
    await objects.mutate(ENDPOINTS, 'default', 'web', (e) => ({ ...e, subsets: endpoints('web', ['10.42.0.6']).subsets }));
    await publisher.idle();
    const states = rec.services('default', 'web');
    expect(states.length).toBeLessThanOrEqual(2);
    expect(states.at(-1)!.endpoints!.subsets![0].addresses![0].ip).toBe('10.42.0.6');
  });

  it('publishes numbered changes when pod CIDRs or addresses change, and only then; the snapshot follows', async () => {
    await objects.create(NODES, '', node('pi-b', '10.42.1.0/24', [{ type: 'InternalIP', address: '192.168.1.11' }]));
    await objects.create(NODES, '', node('pi-a', '10.42.0.0/24', [
      { type: 'Hostname', address: 'pi-a' },
      { type: 'ExternalIP', address: '203.0.113.7' },
      { type: 'InternalIP', address: '192.168.1.10' },
    ]));
    await publisher.start();
    await publisher.idle();
    const both = {
      v: 1,
      nodes: [
        { name: 'pi-a', podCIDR: '10.42.0.0/24', addresses: ['192.168.1.10', '203.0.113.7'] },
        { name: 'pi-b', podCIDR: '10.42.1.0/24', addresses: ['192.168.1.11'] },
      ],
    };
    expect(rec.changes()).toHaveLength(1); // both in one message
    expect(rec.view()).toEqual(both);
    expect(rec.snapshots().at(-1)).toEqual({ ...both, epoch: rec.changes()[0].epoch, seq: 1 });
    // Changes: not retained, QoS 0 (a missed one is mended from the snapshot); the snapshot: retained.
    expect(rec.sent.find((m) => m.topic === topics.networkChanges)).toMatchObject({ retain: undefined, qos: 0 });
    expect(rec.sent.find((m) => m.topic === topics.networkSnapshot)).toMatchObject({ retain: true, qos: 1 });
    expect(isNetworkChanges(rec.changes()[0])).toBe(true);
    expect(isNetworkSnapshot(rec.snapshots()[0])).toBe(true);

    // Status writes that leave CIDR and addresses alone (conditions, capacity) publish nothing.
    const sent = rec.sent.length;
    await objects.mutate(NODES, '', 'pi-a', (n) => ({ ...n, status: { ...n.status, conditions: [{ type: 'Ready', status: 'False' }], capacity: { cpu: '4' } } }), { subresource: 'status' });
    await objects.mutate(NODES, '', 'pi-b', (n) => ({ ...n, metadata: { ...n.metadata, labels: { zone: 'shed' } } }));
    await publisher.idle();
    expect(rec.sent).toHaveLength(sent);

    // A new node without a CIDR yet, then getting one; an address change; a deletion — one
    // message each, holding that node only.
    await objects.create(NODES, '', node('pi-c'));
    await publisher.idle();
    expect(rec.changes().at(-1)!.changes).toEqual([{ name: 'pi-c', addresses: [] }]);
    await objects.mutate(NODES, '', 'pi-c', (n) => ({ ...n, spec: { podCIDR: '10.42.2.0/24', podCIDRs: ['10.42.2.0/24'] } }));
    await publisher.idle();
    expect(rec.view().nodes.find((n) => n.name === 'pi-c')!.podCIDR).toBe('10.42.2.0/24');
    await objects.mutate(NODES, '', 'pi-b', (n) => ({ ...n, status: { ...n.status, addresses: [{ type: 'InternalIP', address: '192.168.1.99' }] } }), { subresource: 'status' });
    await publisher.idle();
    expect(rec.view().nodes.find((n) => n.name === 'pi-b')!.addresses).toEqual(['192.168.1.99']);
    await objects.delete(NODES, '', 'pi-a');
    await publisher.idle();
    expect(rec.changes().at(-1)!.changes).toEqual([{ name: 'pi-a', deleted: true }]);
    expect(rec.view().nodes.map((n) => n.name)).toEqual(['pi-b', 'pi-c']);
    expect(rec.changes()).toHaveLength(5);
    // The snapshot ends where the changes end.
    const { epoch, seq, ...map } = rec.snapshots().at(-1)!;
    expect([epoch, seq]).toEqual([rec.changes()[0].epoch, 5]);
    expect(map).toEqual(rec.view());
    expect(publisher.networkMap()).toEqual(rec.view());
    // No service was ever touched.
    expect(rec.sent.every((m) => m.topic === topics.networkChanges || m.topic === topics.networkSnapshot)).toBe(true);
  });

  it('sends node changes at most once per changesIntervalMs, each batch in one message', async () => {
    const slow = new ClusterNetworkPublisher(objects, rec.bus, { debounceMs: 5, snapshotMs: 10, changesIntervalMs: 150 });
    await slow.start();
    await objects.create(NODES, '', node('pi-a', '10.42.0.0/24'));
    await slow.idle();
    expect(rec.changes().map((c) => c.changes.map((n) => n.name))).toEqual([['pi-a']]);
    const t0 = performance.now();
    for (const n of ['pi-b', 'pi-c', 'pi-d']) {
      await objects.create(NODES, '', node(n));
      await new Promise((r) => setTimeout(r, 20));
    }
    await slow.idle();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect(rec.changes().map((c) => c.changes.map((n) => n.name))).toEqual([['pi-a'], ['pi-b', 'pi-c', 'pi-d']]);
    expect(rec.snapshots().at(-1)!.seq).toBe(2);
    await slow.stop();
  });

  it('publishes a snapshot at start, with the cluster CIDR if known, even with no nodes; a new epoch per publisher', async () => {
    await publisher.start();
    await publisher.idle();
    expect(rec.sent.map((m) => m.topic)).toEqual([topics.networkSnapshot]);
    expect(rec.snapshots()[0]).toMatchObject({ v: 1, seq: 0, nodes: [] });
    const other = new ClusterNetworkPublisher(objects, rec.bus, { debounceMs: 5, clusterCidr: '10.42.0.0/16' });
    await other.start();
    await other.idle();
    await other.stop();
    expect(rec.snapshots()[1]).toMatchObject({ v: 1, clusterCIDR: '10.42.0.0/16', seq: 0, nodes: [] });
    expect(rec.snapshots()[1].epoch).not.toBe(rec.snapshots()[0].epoch);
  });

  it('clears retained service topics of services that no longer exist', async () => {
    await objects.create(SERVICES, 'default', service('web'));
    await publisher.start();
    await publisher.idle();
    expect(rec.subs.map((s) => s.pattern)).toEqual([topics.services]);
    rec.sent.length = 0;
    // The broker hands over what it retained from before a restart: a current service, a gone one,
    // an already cleared one.
    const [sub] = rec.subs;
    sub.handler(topics.service('default', 'web'), Buffer.from('{"v":1}'));
    sub.handler(topics.service('default', 'gone'), Buffer.from('{"v":1}'));
    sub.handler(topics.service('team', 'cleared'), Buffer.alloc(0));
    await publisher.idle();
    expect(rec.sent.map((m) => [m.topic, m.payload.length, m.retain])).toEqual([[topics.service('default', 'gone'), 0, true]]);
    await publisher.stop();
    expect(rec.subs).toHaveLength(0);
  });
});

describe('cluster topics and payloads', () => {
  it('lets nodes subscribe to the cluster topics but publish only their own', () => {
    for (const t of [topics.services, topics.networkSnapshot, topics.networkChanges, ...clusterSubscriptions, topics.service('default', 'web'), 'bramble/v1/cluster/#', 'bramble/v1/cluster/services/+/web']) {
      expect(nodeMaySubscribe('pi-a', t), t).toBe(true);
      expect(nodeMayAccess('pi-a', t), t).toBe(false);
    }
    for (const t of ['bramble/v1/cluster', 'bramble/v1/cluster/', '#', 'bramble/+/cluster/nodes', 'bramble/v1/#', 'bramble/v1/nodes/pi-b/desired', 'bramble/v1/nodes/+/desired']) {
      expect(nodeMaySubscribe('pi-a', t), t).toBe(false);
    }
    expect(nodeMaySubscribe('pi-a', topics.desired('pi-a'))).toBe(true);
    expect(nodeMaySubscribe('Bad+Name', topics.services)).toBe(false);
    expect(serviceOfTopic(topics.service('team', 'db'))).toEqual({ namespace: 'team', name: 'db' });
    expect(serviceOfTopic(topics.services)).toBeUndefined();
    expect(serviceOfTopic(topics.networkSnapshot)).toBeUndefined();
    expect(serviceOfTopic(topics.networkChanges)).toBeUndefined();
  });

  it('validates payload shapes', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [] } };
    expect(isServiceState({ v: 1, service: svc, endpoints: null })).toBe(true);
    expect(isServiceState({ v: 1, service: svc, endpoints: { metadata: { name: 'web' }, subsets: [] } })).toBe(true);
    expect(isServiceState({ v: 2, service: svc, endpoints: null })).toBe(false);
    expect(isServiceState({ v: 1, service: { ...svc, spec: undefined }, endpoints: null })).toBe(false);
    expect(isServiceState({ v: 1, service: svc })).toBe(false);
    expect(isNetworkMap({ v: 1, nodes: [{ name: 'a', podCIDR: '10.42.0.0/24', addresses: ['1.2.3.4'] }, { name: 'b', addresses: [] }] })).toBe(true);
    expect(isNetworkMap({ v: 1, nodes: [{ name: 'a', addresses: [4] }] })).toBe(false);
    expect(isNetworkMap({ v: 1, nodes: {} })).toBe(false);
    expect(isNetworkMap({ v: 1, clusterCIDR: 7, nodes: [] })).toBe(false);
    expect(isNetworkMap(null)).toBe(false);
    expect(isNetworkSnapshot({ v: 1, epoch: 'e', seq: 3, nodes: [{ name: 'a', addresses: [] }] })).toBe(true);
    expect(isNetworkSnapshot({ v: 1, epoch: 'e', nodes: [] })).toBe(false);
    expect(isNetworkSnapshot({ v: 1, seq: 1, nodes: [] })).toBe(false);
    expect(isNetworkChanges({ v: 1, epoch: 'e', seq: 1, changes: [{ name: 'a', addresses: ['1.2.3.4'] }, { name: 'b', deleted: true }] })).toBe(true);
    expect(isNetworkChanges({ v: 1, epoch: 'e', seq: 1, changes: [{ name: 'b', deleted: false }] })).toBe(false);
    expect(isNetworkChanges({ v: 1, epoch: 'e', seq: 1.5, changes: [] })).toBe(false);
    expect(isNetworkChanges({ v: 1, epoch: 'e', seq: 1 })).toBe(false);
  });
});
