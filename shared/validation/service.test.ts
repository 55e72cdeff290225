import { describe, expect, it } from 'vitest';
import { validate } from './index.js';

const service = (spec: Record<string, unknown> = {}, name = 'web') => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

const messages = (obj: unknown, opts = {}) => validate('Service', obj, opts).map((c) => `${c.field}: ${c.message}`);

describe('Service validation', () => {
  it('accepts the common shapes', () => {
    expect(messages(service())).toEqual([]);
    expect(messages(service({ type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }] }))).toEqual([]);
    expect(messages(service({ clusterIP: 'None', ports: [] }))).toEqual([]);
    expect(messages(service({ type: 'ExternalName', externalName: 'db.example.com.', ports: undefined }))).toEqual([]);
    expect(messages(service({ ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }))).toEqual([]);
  });

  it('uses DNS-1035 names, as Kubernetes does for Services', () => {
    expect(messages(service({}, '1web'))[0]).toMatch(/^metadata.name: Invalid value: "1web": a DNS-1035 label must consist/);
  });

  it('requires ports for ClusterIP services', () => {
    expect(messages(service({ ports: [] }))).toEqual(['spec.ports: Required value']);
    expect(messages(service({ ports: undefined, type: 'LoadBalancer' }))).toEqual(['spec.ports: Required value']);
  });

  it('checks each port', () => {
    expect(
      messages(
        service({
          ports: [
            { port: 0, protocol: 'HTTP' },
            { name: 'Web', port: 80, targetPort: 70000 },
            { name: 'b', port: 80, nodePort: 30001 },
          ],
        }),
      ),
    ).toEqual([
      'spec.ports[0].name: Required value',
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      expect.stringMatching(/^spec.ports\[1\].name: Invalid value: "Web": a lowercase RFC 1123 label/),
      'spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.ports[2]: Duplicate value: {"port":80,"protocol":"TCP"}',
      "spec.ports[2].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]);
  });

  it('checks the type and the node port range', () => {
    expect(messages(service({ type: 'Ingress' }))).toEqual([
      'spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
    expect(messages(service({ type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }))).toEqual([
      'spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    ]);
    expect(messages(service({ type: 'ExternalName', ports: undefined }))).toEqual(['spec.externalName: Required value']);
  });

  it('keeps clusterIP once allocated', () => {
    const old = service({ clusterIP: '10.43.0.10' });
    expect(messages(service({ clusterIP: '10.43.0.11' }), { update: true, old })).toEqual([
      'spec.clusterIPs[0]: Invalid value: "10.43.0.11": may not change once set',
    ]);
    expect(messages(service({ clusterIP: '10.43.0.10' }), { update: true, old })).toEqual([]);
  });
});
