import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { ObjectService } from '../objects/object-service.js';
import { LogStore } from '../store/log-store.js';
import type { ControllerContext } from './context.js';
import { eventRecorder } from './events.js';
import { NamespaceController } from './namespace.js';
import type { Delay } from './queue.js';

const NS = findResource('', 'v1', 'namespaces')!;
const CM = findResource('', 'v1', 'configmaps')!;
const SECRETS = findResource('', 'v1', 'secrets')!;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

const delay: Delay = () => ({ cancel() {} }); // rechecks are driven by deletions in these tests

const pod = (name: string, nodeName?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { nodeName, containers: [{ name: 'app', image: 'nginx:1.27' }] },
});

describe('NamespaceController', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let controller: NamespaceController;
  const clock = { now: () => Date.parse('2024-05-01T12:00:00Z') };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-ns-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    objects = new ObjectService(store, clock, {
      pods: { notReadyTolerationSeconds: 5 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    const ctx: ControllerContext = {
      objects,
      clock,
      logger: pino({ level: 'silent' }),
      config: { nodeMonitorGracePeriod: 3_000, defaultNotReadyToleration: 5_000, clusterCidr: '10.42.0.0/16' },
      events: eventRecorder(objects, clock),
    };
    controller = new NamespaceController(ctx, { delay, startDelayMs: 0 });
    controller.start();
  });
  afterEach(async () => {
    controller.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('empties a terminating namespace of every kind, then removes it', async () => {
    await objects.create(CM, 'team', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    await objects.create(SECRETS, 'team', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    await objects.create(LEASES, 'team', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: {} });
    await objects.create(PODS, 'team', pod('p'));
    await controller.idle();
    expect(objects.find(NS, '', 'team')?.status?.phase).toBe('Active');

    const { object } = await objects.delete(NS, '', 'team');
    expect(object.status.phase).toBe('Terminating');
    await controller.idle();
    expect(objects.find(NS, '', 'team')).toBeUndefined();
    for (const info of [CM, SECRETS, LEASES, PODS]) expect(objects.list(info, { namespace: 'team' }).items).toEqual([]);
  });

  it('waits for a pod that terminates gracefully on its node', async () => {
    await objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi1' } });
    await objects.create(PODS, 'team', pod('running', 'pi1'));
    await objects.delete(NS, '', 'team');
    await controller.idle();
    expect(objects.find(PODS, 'team', 'running')?.metadata.deletionTimestamp).toBeDefined();
    expect(objects.find(NS, '', 'team')?.status?.phase).toBe('Terminating');

    // The agent has stopped the containers and finishes the deletion.
    await objects.delete(PODS, 'team', 'running', { gracePeriodSeconds: 0 });
    await controller.idle();
    expect(objects.find(NS, '', 'team')).toBeUndefined();
  });

  it('keeps a namespace that carries someone else\'s finalizer until it is removed', async () => {
    await objects.mutate(NS, '', 'team', (ns) => ({ ...ns, metadata: { ...ns.metadata, finalizers: ['example.com/keep'] } }));
    await objects.delete(NS, '', 'team');
    await controller.idle();
    const ns = objects.find(NS, '', 'team')!;
    expect(ns.spec.finalizers).toEqual([]);
    expect(ns.metadata.finalizers).toEqual(['example.com/keep']);

    await objects.mutate(NS, '', 'team', (n) => ({ ...n, metadata: { ...n.metadata, finalizers: [] } }));
    await controller.idle();
    expect(objects.find(NS, '', 'team')).toBeUndefined();
  });

  it('leaves other namespaces and their content alone', async () => {
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keep' } });
    await objects.create(CM, 'keep', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    await objects.delete(NS, '', 'team');
    await controller.idle();
    expect(objects.find(CM, 'keep', 'c')).toBeDefined();
    expect(objects.find(NS, '', 'keep')?.status?.phase).toBe('Active');
  });
});
