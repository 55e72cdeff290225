// endpoints: the endpoints controller (Endpoints and EndpointSlices) and the pod CIDR allocator on
// a real LogStore (libSQL file) and ObjectService. Pods get their IP and readiness through the
// status subresource, as an agent would report them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import type { Controller, ControllerContext } from '../../server/controllers/context.js';
import { endpointsController } from '../../server/controllers/endpoints.js';
import { GarbageCollector } from '../../server/controllers/garbage-collector.js';
import { podCidrController } from '../../server/controllers/pod-cidr.js';
import type { ObjectService } from '../../server/objects/object-service.js';
import { type Harness, startHarness } from '../lib/controller-harness.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

describe('endpoints and pod CIDRs', () => {
  let h: Harness;
  let objects: ObjectService;
  let ctx: ControllerContext;
  let controllers: Controller[];

  beforeEach(async () => {
    h = await startHarness((c) => [endpointsController(c), podCidrController(c), new GarbageCollector(c)]);
    ({ objects, ctx, controllers } = h);
  });

  afterEach(() => h.stop());

  const until = (what: string, check: () => boolean, timeoutMs?: number) => h.until(what, check, timeoutMs);


  const node = (name: string) => objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
  const podCidr = (name: string) => objects.find(NODES, '', name)?.spec?.podCIDR as string | undefined;

  async function pod(name: string, ip: string, ready: boolean, labels = { app: 'web' }, ports = [{ name: 'http', containerPort: 8080 }]) {
    await objects.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels },
      spec: { nodeName: 'pi-1', containers: [{ name: 'app', image: 'nginx', ports }] },
    });
    await objects.mutate(
      PODS,
      'default',
      name,
      (p) => {
        p.status = { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
        return p;
      },
      { subresource: 'status' },
    );
  }

  const endpoints = (name = 'web') => objects.find(ENDPOINTS, 'default', name);
  const ips = (e: KubeObject | undefined, field: 'addresses' | 'notReadyAddresses') => (e?.subsets ?? []).flatMap((s: any) => (s[field] ?? []).map((a: any) => a.ip)).sort();
  const slices = (svc = 'web') => objects.list(SLICES, { namespace: 'default', labelSelector: `kubernetes.io/service-name=${svc}` }).items;
  const sliceEndpoints = (svc = 'web') => slices(svc).flatMap((s) => s.endpoints ?? []);

  it('lists ready, not-ready and terminating pods, follows labels and goes with the service', async () => {
    await node('pi-1');
    await pod('a', '10.42.0.11', true);
    await pod('b', '10.42.0.12', false);
    await pod('c', '10.42.0.13', true);
    await pod('other', '10.42.0.14', true, { app: 'db' });
    await pod('no-port', '10.42.0.15', true, { app: 'web' }, []);
    await objects.create(SERVICES, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });

    await until('endpoints', () => ips(endpoints(), 'addresses').length === 2);
    const e = endpoints()!;
    expect(e.metadata.labels).toEqual({ tier: 'front' });
    expect(e.subsets).toEqual([
      {
        addresses: [
          { ip: '10.42.0.11', nodeName: 'pi-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: objects.find(PODS, 'default', 'a')!.metadata.uid } },
          { ip: '10.42.0.13', nodeName: 'pi-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: objects.find(PODS, 'default', 'c')!.metadata.uid } },
        ],
        notReadyAddresses: [{ ip: '10.42.0.12', nodeName: 'pi-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: objects.find(PODS, 'default', 'b')!.metadata.uid } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    await until('slices', () => sliceEndpoints().length === 4);
    const slice = slices().find((x) => x.ports?.length)!;
    expect(slice.endpoints.map((x: any) => x.targetRef.name).sort()).toEqual(['a', 'b', 'c']);
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).toMatchObject({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.bramble.io' });
    expect(slice.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'web', controller: true })]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    // The pod without a port named http is in a port-less slice of its own (as in Kubernetes).
    expect(slices().find((x) => !x.ports?.length)!.endpoints.map((x: any) => x.targetRef.name)).toEqual(['no-port']);

    // b turns Ready; c starts terminating: gone from Endpoints, ready=false terminating=true in the slice.
    await objects.mutate(PODS, 'default', 'b', (p) => ({ ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'True' }] } }), { subresource: 'status' });
    await objects.delete(PODS, 'default', 'c');
    expect(objects.find(PODS, 'default', 'c')?.metadata.deletionTimestamp).toBeDefined();
    await until('c terminating', () => ips(endpoints(), 'addresses').join() === '10.42.0.11,10.42.0.12');
    expect(ips(endpoints(), 'notReadyAddresses')).toEqual([]);
    await until('slice conditions', () => sliceEndpoints().find((x) => x.targetRef.name === 'c')?.conditions.terminating === true);
    expect(sliceEndpoints().find((x) => x.targetRef.name === 'c')!.conditions).toEqual({ ready: false, serving: true, terminating: true });

    // A label change moves a out of the service.
    await objects.mutate(PODS, 'default', 'a', (p) => ({ ...p, metadata: { ...p.metadata, labels: { app: 'other' } } }));
    await until('a relabelled', () => ips(endpoints(), 'addresses').join() === '10.42.0.12');
    await until('a out of the slice', () => !sliceEndpoints().some((x) => x.targetRef.name === 'a'));

    // A hand edit of a managed Endpoints is put back.
    await objects.mutate(ENDPOINTS, 'default', 'web', (o) => ({ ...o, subsets: [] }));
    await until('endpoints restored', () => ips(endpoints(), 'addresses').join() === '10.42.0.12');

    await objects.delete(SERVICES, 'default', 'web');
    await until('endpoints and slices gone', () => !endpoints() && slices().length === 0);
  });

  it('leaves the Endpoints of a service without a selector alone', async () => {
    await objects.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { ports: [{ port: 5432 }] } });
    await objects.create(ENDPOINTS, 'default', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '192.168.1.50' }], ports: [{ port: 5432 }] }] });
    await pod('x', '10.42.0.20', true);
    await until('settled', () => true);
    expect(ips(endpoints('ext'), 'addresses')).toEqual(['192.168.1.50']);
    expect(slices('ext')).toEqual([]);
  });

  it('gives nodes distinct pod CIDRs that survive a restart', async () => {
    await Promise.all([node('pi-1'), node('pi-2')]);
    await until('pod CIDRs', () => !!podCidr('pi-1') && !!podCidr('pi-2'));
    expect(new Set([podCidr('pi-1'), podCidr('pi-2')])).toEqual(new Set(['10.42.0.0/24', '10.42.1.0/24']));
    expect(objects.find(NODES, '', 'pi-1')!.spec.podCIDRs).toEqual([podCidr('pi-1')]);
    const before = [podCidr('pi-1'), podCidr('pi-2')];

    // Many at once: no duplicates.
    await Promise.all(Array.from({ length: 20 }, (_, i) => node(`n${i}`)));
    const names = ['pi-1', 'pi-2', ...Array.from({ length: 20 }, (_, i) => `n${i}`)];
    await until('all allocated', () => names.every((n) => podCidr(n)));
    expect(new Set(names.map(podCidr)).size).toBe(names.length);

    // A restarted allocator keeps what nodes have and hands out only free ranges.
    controllers[1].stop();
    controllers[1] = podCidrController(ctx);
    controllers[1].start();
    await node('pi-3');
    await until('pi-3', () => !!podCidr('pi-3'));
    expect([podCidr('pi-1'), podCidr('pi-2')]).toEqual(before);
    expect(names.map(podCidr)).not.toContain(podCidr('pi-3'));

    // A node re-registered with a fresh spec gets its own range back.
    await objects.mutate(NODES, '', 'pi-1', (n) => ({ ...n, spec: {} }));
    await until('pi-1 again', () => !!podCidr('pi-1'));
    expect(podCidr('pi-1')).toBe(before[0]);
  });
});
