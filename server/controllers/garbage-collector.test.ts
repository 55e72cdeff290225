import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { ObjectService } from '../objects/object-service.js';
import { LogStore } from '../store/log-store.js';
import type { ControllerContext } from './context.js';
import { eventRecorder } from './events.js';
import { GarbageCollector } from './garbage-collector.js';
import { FakeTime } from '../../test/lib/fake-time.js';

const NS = findResource('', 'v1', 'namespaces')!;
const CM = findResource('', 'v1', 'configmaps')!;
const NODES = findResource('', 'v1', 'nodes')!;
const GRACE = 2_000;


const ref = (o: KubeObject): OwnerReference => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name!, uid: o.metadata.uid! });

describe('GarbageCollector', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let time: FakeTime;
  let gc: GarbageCollector;

  const cm = (name: string, owners: OwnerReference[] = []) =>
    objects.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: owners.length ? owners : undefined } });
  const exists = (name: string) => objects.find(CM, 'default', name) !== undefined;
  const startGc = () => {
    const ctx: ControllerContext = {
      objects,
      clock: time.clock,
      logger: pino({ level: process.env.GC_LOG ?? 'silent' }),
      config: { nodeMonitorGracePeriod: 3_000, defaultNotReadyToleration: 5_000, clusterCidr: '10.42.0.0/16' },
      events: eventRecorder(objects, time.clock),
    };
    gc = new GarbageCollector(ctx, { delay: time.delay, graceMs: GRACE });
    gc.start();
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-gc-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    time = new FakeTime();
    objects = new ObjectService(store, time.clock, {
      pods: { notReadyTolerationSeconds: 5 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    startGc();
  });
  afterEach(async () => {
    gc.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deletes a whole tree in the background once the root goes', async () => {
    const root = await cm('root');
    const mid = await cm('mid', [ref(root)]);
    await cm('leaf', [ref(mid)]);
    await cm('bystander');
    await gc.idle();
    expect(exists('leaf')).toBe(true);
    await objects.delete(CM, 'default', 'root');
    await gc.idle();
    expect(['root', 'mid', 'leaf', 'bystander'].map(exists)).toEqual([false, false, false, true]);
  });

  it('keeps an object while one of its owners lives, dropping the reference to the gone one', async () => {
    const a = await cm('a');
    const b = await cm('b');
    await cm('shared', [ref(a), ref(b)]);
    await objects.delete(CM, 'default', 'a');
    await gc.idle();
    expect(objects.find(CM, 'default', 'shared')?.metadata.ownerReferences?.map((r) => r.name)).toEqual(['b']);
    await objects.delete(CM, 'default', 'b');
    await gc.idle();
    expect(exists('shared')).toBe(false);
  });

  it('gives a reference to an unknown uid a grace period before collecting', async () => {
    await cm('dangling', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: 'no-such-uid' }]);
    await gc.idle();
    time.advance(GRACE - 1);
    await gc.idle();
    expect(exists('dangling')).toBe(true);
    time.advance(1);
    await gc.idle();
    expect(exists('dangling')).toBe(false);
  });

  it('honours a cluster-scoped owner but not one in another namespace', async () => {
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    const node = await objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi1' } });
    const foreign = await objects.create(CM, 'other', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'foreign' } });
    await cm('by-node', [ref(node)]);
    await cm('by-foreign', [ref(foreign)]);
    await gc.idle();
    time.advance(GRACE);
    await gc.idle();
    expect([exists('by-node'), exists('by-foreign')]).toEqual([true, false]);
  });

  it('deletes in the foreground: the owner stays until its dependents are gone, depth first', async () => {
    const root = await cm('root');
    const mid = await cm('mid', [{ ...ref(root), blockOwnerDeletion: true }]);
    await cm('leaf', [{ ...ref(mid), blockOwnerDeletion: true }]);
    const seen: string[] = [];
    const w = objects.watch(CM, {}, (type, o) => {
      if (type === 'DELETED') seen.push(o.metadata.name!);
    });
    const { object } = await objects.delete(CM, 'default', 'root', { propagationPolicy: 'Foreground' });
    expect(object.metadata.finalizers).toEqual(['foregroundDeletion']);
    await gc.idle();
    w.close();
    expect(seen).toEqual(['leaf', 'mid', 'root']);
  });

  it('orphans: strips the references and keeps the dependents', async () => {
    const owner = await cm('owner');
    const other = await cm('other');
    await cm('kid', [ref(owner), ref(other)]);
    await cm('only-kid', [ref(owner)]);
    await objects.delete(CM, 'default', 'owner', { propagationPolicy: 'Orphan' });
    await gc.idle();
    expect(exists('owner')).toBe(false);
    expect(objects.find(CM, 'default', 'kid')?.metadata.ownerReferences?.map((r) => r.name)).toEqual(['other']);
    expect(objects.find(CM, 'default', 'only-kid')?.metadata.ownerReferences).toBeUndefined();
  });

  it('collects, after a restart, dependents whose owner went while it was down', async () => {
    const owner = await cm('owner');
    await cm('kid', [ref(owner)]);
    await gc.idle();
    gc.stop();
    await objects.delete(CM, 'default', 'owner');
    startGc();
    await gc.idle();
    expect(exists('kid')).toBe(true);
    time.advance(GRACE);
    await gc.idle();
    expect(exists('kid')).toBe(false);
  });
});
