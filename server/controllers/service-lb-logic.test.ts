import { describe, expect, it } from 'vitest';
import type { Node } from '../../shared/api/core.js';
import type { Service } from '../../shared/api/service.js';
import { applyIngress, desiredIngress, ingressChanged, ingressOf, isLoadBalancer, nodeIngressIp } from './service-lb-logic.js';

const node = (name: string, addresses: { type: string; address: string }[], deleting = false): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, ...(deleting ? { deletionTimestamp: '2024-05-01T12:00:00Z' } : {}) },
  spec: {},
  status: { addresses },
});

const svc = (type: Service['spec']['type'], extra: Partial<Service> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { type, ports: [{ port: 80 }] },
  status: { loadBalancer: {} },
  ...extra,
});

describe('service-lb-logic', () => {
  it("takes a node's first InternalIP, none while it is being deleted or has none", () => {
    expect(nodeIngressIp(node('a', [{ type: 'Hostname', address: 'a' }, { type: 'ExternalIP', address: '203.0.113.1' }, { type: 'InternalIP', address: '192.168.1.5' }, { type: 'InternalIP', address: '192.168.1.6' }]))).toBe('192.168.1.5');
    expect(nodeIngressIp(node('b', [{ type: 'ExternalIP', address: '203.0.113.1' }]))).toBeUndefined();
    expect(nodeIngressIp(node('c', [{ type: 'InternalIP', address: '192.168.1.7' }], true))).toBeUndefined();
    expect(nodeIngressIp({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'd' }, spec: {} })).toBeUndefined();
  });

  it('sorts addresses numerically and drops duplicates and gaps', () => {
    expect(ingressOf(['192.168.1.10', undefined, '192.168.1.9', '10.0.0.1', '192.168.1.10', 'fd00::1'])).toEqual([
      { ip: '10.0.0.1' },
      { ip: '192.168.1.9' },
      { ip: '192.168.1.10' },
      { ip: 'fd00::1' },
    ]);
    expect(ingressOf([])).toEqual([]);
  });

  it('gives LoadBalancer services the nodes and takes them from any other type', () => {
    const nodes = ingressOf(['192.168.1.2', '192.168.1.1']);
    expect(isLoadBalancer(svc('LoadBalancer'))).toBe(true);
    expect(desiredIngress(svc('LoadBalancer'), nodes)).toEqual(nodes);
    expect(desiredIngress(svc('NodePort'), nodes)).toEqual([]);
    expect(desiredIngress(svc('ClusterIP'), nodes)).toEqual([]);
    // A service of another load balancer implementation is not ours.
    const other = svc('LoadBalancer');
    other.spec.loadBalancerClass = 'example.com/lb';
    expect(isLoadBalancer(other)).toBe(false);
    expect(desiredIngress(other, nodes)).toBeUndefined();
  });

  it('compares and applies the ingress through status.loadBalancer', () => {
    const nodes = ingressOf(['192.168.1.1']);
    const s = svc('LoadBalancer');
    expect(ingressChanged(s, [])).toBe(false);
    expect(ingressChanged(s, nodes)).toBe(true);
    const applied = applyIngress(s, nodes);
    expect(applied.status).toEqual({ loadBalancer: { ingress: [{ ip: '192.168.1.1' }] } });
    expect(s.status).toEqual({ loadBalancer: {} });
    expect(ingressChanged(applied, nodes)).toBe(false);
    expect(applyIngress({ ...applied, status: { ...applied.status, conditions: [] } }, []).status).toEqual({ loadBalancer: {}, conditions: [] });
    expect(ingressChanged(svc('ClusterIP', { status: undefined }), [])).toBe(false);
  });
});
