import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { ObjectService } from '../objects/object-service.js';
import { LogStore } from '../store/log-store.js';
import type { Controller, ControllerContext } from './context.js';
import { eventRecorder } from './events.js';
import { serviceLbController } from './service-lb.js';

const NS = findResource('', 'v1', 'namespaces')!;
const SERVICES = findResource('', 'v1', 'services')!;
const NODES = findResource('', 'v1', 'nodes')!;

const node = (name: string, ip?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: {},
  status: { addresses: ip ? [{ type: 'InternalIP', address: ip }] : [], conditions: [{ type: 'Ready', status: 'True' }] },
});

const service = (name: string, type: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type, selector: { app: name }, ports: [{ port: 80 }] },
});

describe('service-lb controller', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let controller: Controller;
  const clock = { now: () => Date.parse('2024-05-01T12:00:00Z') };
  const ingress = (name: string) => objects.find(SERVICES, 'default', name)?.status?.loadBalancer?.ingress;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-svclb-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    objects = new ObjectService(store, clock, {
      pods: { notReadyTolerationSeconds: 5 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const ctx: ControllerContext = {
      objects,
      clock,
      logger: pino({ level: 'silent' }),
      config: { nodeMonitorGracePeriod: 3_000, defaultNotReadyToleration: 5_000, clusterCidr: '10.42.0.0/16' },
      events: eventRecorder(objects, clock),
    };
    controller = serviceLbController(ctx);
  });
  afterEach(async () => {
    controller.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("publishes every node's InternalIP on LoadBalancer services and follows the nodes", async () => {
    await objects.create(NODES, '', node('pi-b', '192.168.1.11'));
    await objects.create(NODES, '', node('pi-a', '192.168.1.10'));
    await objects.create(NODES, '', node('pi-x'));
    await objects.create(SERVICES, 'default', service('lb', 'LoadBalancer'));
    await objects.create(SERVICES, 'default', service('plain', 'ClusterIP'));
    controller.start();
    await controller.idle();
    expect(ingress('lb')).toEqual([{ ip: '192.168.1.10' }, { ip: '192.168.1.11' }]);
    expect(ingress('plain')).toBeUndefined();
    const rv = objects.find(SERVICES, 'default', 'lb')!.metadata.resourceVersion;

    // Node writes that leave the address alone change nothing.
    await objects.mutate(NODES, '', 'pi-a', (n) => ({ ...n, status: { ...n.status, conditions: [{ type: 'Ready', status: 'False' }] } }), { subresource: 'status' });
    await controller.idle();
    expect(objects.find(SERVICES, 'default', 'lb')!.metadata.resourceVersion).toBe(rv);

    await objects.create(NODES, '', node('pi-c', '192.168.1.9'));
    await objects.mutate(NODES, '', 'pi-x', (n) => ({ ...n, status: { ...n.status, addresses: [{ type: 'InternalIP', address: '192.168.1.11' }] } }), { subresource: 'status' });
    await controller.idle();
    expect(ingress('lb')).toEqual([{ ip: '192.168.1.9' }, { ip: '192.168.1.10' }, { ip: '192.168.1.11' }]);
    await objects.delete(NODES, '', 'pi-a');
    await controller.idle();
    expect(ingress('lb')).toEqual([{ ip: '192.168.1.9' }, { ip: '192.168.1.11' }]);
  });

  it('sets the ingress when a service becomes a LoadBalancer and clears it when it stops being one', async () => {
    await objects.create(NODES, '', node('pi-a', '192.168.1.10'));
    await objects.create(SERVICES, 'default', service('web', 'ClusterIP'));
    controller.start();
    await controller.idle();
    expect(ingress('web')).toBeUndefined();
    await objects.mutate(SERVICES, 'default', 'web', (s) => ({ ...s, spec: { ...s.spec, type: 'LoadBalancer' } }));
    await controller.idle();
    expect(ingress('web')).toEqual([{ ip: '192.168.1.10' }]);
    const svc = objects.find(SERVICES, 'default', 'web')!;
    expect(svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    // As with kubectl, switching back means dropping the node ports too.
    await objects.mutate(SERVICES, 'default', 'web', (s) => ({ ...s, spec: { ...s.spec, type: 'ClusterIP', externalTrafficPolicy: undefined, ports: [{ port: 80 }] } }));
    await controller.idle();
    expect(objects.find(SERVICES, 'default', 'web')!.status).toEqual({ loadBalancer: {} });
  });
});
