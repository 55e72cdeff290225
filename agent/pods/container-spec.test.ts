import { describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { appSpec, containerHash, dnsSettings, infraSpec, resourceSettings } from './container-spec.js';

const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
  spec: { containers: [{ name: 'app', image: 'web:1', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, hostPort: 53, protocol: 'UDP' }, { containerPort: 9000 }] }], ...spec },
});

describe('infraSpec', () => {
  it('puts the pod network, host ports, hostname and cluster DNS on the pause container', () => {
    const s = infraSpec(pod(), 0, { image: 'bramble/pause:arm64-1', network: 'pods', clusterDNS: ['10.43.0.10'] });
    expect(s).toMatchObject({
      name: 'k8s_POD_web_shop_u1_0',
      network: 'pods',
      init: true,
      hostname: 'web',
      hostPorts: [
        { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
        { containerPort: 53, hostPort: 53, protocol: 'udp' },
      ],
      dnsServers: ['10.43.0.10'],
      dnsSearch: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      dnsOptions: ['ndots:5'],
    });
    expect(s.labels['io.bramble.pod.grace']).toBe('30');
  });

  it('uses the host network for hostNetwork pods, without ports, hostname or DNS', () => {
    const s = infraSpec(pod({ hostNetwork: true }), 1, { image: 'p', network: 'pods', clusterDNS: ['10.43.0.10'] });
    expect(s).toEqual({ name: 'k8s_POD_web_shop_u1_1', image: 'p', labels: s.labels, network: 'host', init: true });
  });
});

describe('dnsSettings', () => {
  it('follows dnsPolicy None and merges dnsConfig', () => {
    const p = pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['example.com'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } });
    expect(dnsSettings(p, { clusterDNS: ['10.43.0.10'] })).toEqual({ dnsServers: ['1.1.1.1'], dnsSearch: ['example.com'], dnsOptions: ['ndots:2', 'edns0'] });
  });

  it('falls back to the node resolver without cluster DNS', () => {
    expect(dnsSettings(pod(), {})).toEqual({});
  });
});

describe('resourceSettings', () => {
  it.each([
    [{}, { cpuShares: 2 }],
    [{ requests: { cpu: '250m' } }, { cpuShares: 256 }],
    [{ limits: { cpu: '1.5', memory: '128Mi' } }, { nanoCpus: 1_500_000_000, memoryBytes: 134_217_728, cpuShares: 1536 }],
  ])('%j', (resources, out) => expect(resourceSettings({ name: 'c', image: 'i', resources })).toEqual(out));
});

describe('appSpec', () => {
  it('joins the infra container and carries the spec hash, attempt and user', () => {
    const p = pod({ securityContext: { runAsUser: 1000, runAsGroup: 1000 } });
    const s = appSpec(p, p.spec.containers[0], { role: 'app', attempt: 2, infraId: 'abc', env: new Map([['A', '1']]), mounts: [] });
    expect(s).toMatchObject({ name: 'k8s_app_web_shop_u1_2', network: 'container:abc', env: ['A=1'], user: '1000:1000' });
    expect(s.labels['io.bramble.container.hash']).toBe(containerHash(p.spec.containers[0]));
    expect(s.hostPorts).toBeUndefined();
  });

  it('hashes specs by content, whatever the key order', () => {
    expect(containerHash({ name: 'a', image: 'b' })).toBe(containerHash({ image: 'b', name: 'a' }));
    expect(containerHash({ name: 'a', image: 'b' })).not.toBe(containerHash({ name: 'a', image: 'c' }));
  });
});
