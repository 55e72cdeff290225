import { describe, expect, it } from 'vitest';
import { pod, service } from './endpoints-fixtures.js';
import { type EndpointSlice, MANAGED_BY, planSlices, portGroups, sliceFor } from './endpoints-slices-logic.js';

const ips = (s: EndpointSlice) => (s.endpoints ?? []).map((e) => e.addresses[0]);
const stored = (s: EndpointSlice, name: string): EndpointSlice => ({ ...s, metadata: { ...s.metadata, generateName: undefined, name, uid: `uid-${name}` } });

describe('portGroups', () => {
  it('lists terminating pods as not ready but serving, and not-ready pods as neither', () => {
    const g = portGroups(service(), [pod('a', { ip: '10.42.0.1' }), pod('b', { ip: '10.42.0.2', deleting: true }), pod('c', { ip: '10.42.0.3', ready: false })]);
    expect([...g.keys()]).toHaveLength(1);
    const [group] = g.values();
    expect(group.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect([...group.endpoints.values()].map((e) => [e.addresses[0], e.conditions])).toEqual([
      ['10.42.0.1', { ready: true, serving: true, terminating: false }],
      ['10.42.0.2', { ready: false, serving: true, terminating: true }],
      ['10.42.0.3', { ready: false, serving: false, terminating: false }],
    ]);
    expect(group.endpoints.get('uid-a')).toMatchObject({ nodeName: 'pi-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } });
  });

  it('gives unnamed ports an empty name and puts pods without the named port in a port-less group', () => {
    const g = portGroups(service([{ port: 80, targetPort: 'http' }]), [pod('a'), pod('b', { ip: '10.42.0.2', ports: [] })]);
    expect([...g.values()].map((x) => x.ports)).toEqual([[{ name: '', port: 8080, protocol: 'TCP' }], []]);
  });

  it('has one empty group when no pod is listed (the placeholder slice)', () => {
    expect([...portGroups(service(), []).values()]).toEqual([{ ports: [], endpoints: new Map() }]);
  });
});

describe('planSlices', () => {
  const svc = service();
  const pods = (n: number, from = 0) => Array.from({ length: n }, (_, i) => pod(`p${from + i}`, { ip: `10.42.0.${from + i + 1}` }));

  it('creates slices of at most max endpoints with the service labels and owner', () => {
    const plan = planSlices(svc, portGroups(svc, pods(5)), [], 2);
    expect(plan.create.map(ips)).toEqual([['10.42.0.1', '10.42.0.2'], ['10.42.0.3', '10.42.0.4'], ['10.42.0.5']]);
    expect(plan.create[0].metadata).toEqual({
      generateName: 'web-',
      namespace: 'default',
      labels: { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': MANAGED_BY },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(plan.create[0].addressType).toBe('IPv4');
  });

  it('changes nothing when the slices are up to date', () => {
    const first = planSlices(svc, portGroups(svc, pods(3)), [], 2);
    const existing = first.create.map((s, i) => stored(s, `web-${i}`));
    expect(planSlices(svc, portGroups(svc, pods(3)), existing, 2)).toEqual({ create: [], update: [], remove: [] });
  });

  it('keeps endpoints in their slice and fills free room before creating a slice', () => {
    const existing = [stored(sliceFor(svc, [{ name: 'http', port: 8080, protocol: 'TCP' }], [...[...portGroups(svc, pods(2)).values()][0].endpoints.values()]), 'web-a')];
    // p0 goes, p2 and p3 come: p1 stays in web-a, p2 takes p0's place, p3 needs a new slice.
    const plan = planSlices(svc, portGroups(svc, pods(3, 1)), existing, 2);
    expect(plan.update.map((s) => [s.metadata.name, ips(s)])).toEqual([['web-a', ['10.42.0.2', '10.42.0.3']]]);
    expect(plan.create.map(ips)).toEqual([['10.42.0.4']]);
    expect(plan.remove).toEqual([]);
  });

  it('removes slices of a port set no pod resolves any more, and emptied slices', () => {
    const old = stored(sliceFor(svc, [{ name: 'http', port: 9999, protocol: 'TCP' }], []), 'web-old');
    const plan = planSlices(svc, portGroups(svc, pods(1)), [old], 2);
    expect(plan.remove.map((s) => s.metadata.name)).toEqual(['web-old']);
    expect(plan.create.map(ips)).toEqual([['10.42.0.1']]);
  });

  it('keeps one placeholder slice when the service has no endpoints', () => {
    const placeholder = planSlices(svc, portGroups(svc, []), []);
    expect(placeholder.create).toHaveLength(1);
    expect(placeholder.create[0]).toMatchObject({ endpoints: [], ports: [] });
    const existing = [stored(placeholder.create[0], 'web-p')];
    expect(planSlices(svc, portGroups(svc, []), existing)).toEqual({ create: [], update: [], remove: [] });
  });
});
