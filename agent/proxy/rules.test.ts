import { describe, expect, it } from 'vitest';
import { base32, MAX_CHAIN_NAME, sepChain, servicePortKey, svcChain } from './names.js';
import { computeRules } from './rules.js';
import { type RuleSet, renderChain, toRestore } from './ruleset.js';
import type { Endpoints, Service, ServicePort } from '../../shared/api/service.js';

const NODE = { name: 'n1', addresses: ['192.168.1.11'] };
const CIDR = '10.244.0.0/16';

function svc(name: string, spec: Partial<Service['spec']>, ports: ServicePort[] = [{ name: 'http', port: 80, targetPort: 8080 }]): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name }, spec: { type: 'ClusterIP', clusterIP: '10.43.0.10', ports, ...spec } };
}

function eps(name: string, ips: string[], ports = [{ name: 'http', port: 8080 }], nodeOf: (ip: string) => string = () => 'n2', notReady: string[] = []): Endpoints {
  return {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'default', name },
    subsets: [{ addresses: ips.map((ip) => ({ ip, nodeName: nodeOf(ip) })), notReadyAddresses: notReady.map((ip) => ({ ip })), ports: ports as any }],
  };
}

const rules = (services: Service[], endpoints: Endpoints[]) => computeRules({ services, endpoints, node: NODE, clusterCidr: CIDR });
const chain = (rs: RuleSet, table: 'nat' | 'filter', name: string) => rs.chains.find((c) => c.table === table && c.name === name);
const text = (rs: RuleSet, table: 'nat' | 'filter', name: string) => (chain(rs, table, name) ? renderChain(chain(rs, table, name)!) : '');
const named = (rs: RuleSet, prefix: string) => rs.chains.filter((c) => c.table === 'nat' && c.name.startsWith(prefix));
const KEY = servicePortKey('default', 'web', 'http', 'tcp');

describe('computeRules', () => {
  it('balances a cluster IP over 3 endpoints with 1/3, 1/2, then unconditionally', () => {
    const rs = rules([svc('web', {})], [eps('web', ['10.244.2.3', '10.244.1.2', '10.244.2.10'])]);
    const svcRules = chain(rs, 'nat', svcChain(KEY))!.rules.map((r) => r.join(' '));
    expect(svcRules[0]).toContain(`! -s ${CIDR} -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -j BRAMBLE-MARK-MASQ`);
    expect(svcRules.slice(1).map((r) => /--probability (\S+)/.exec(r)?.[1] ?? 'last')).toEqual(['0.3333333333', '0.5000000000', 'last']);
    // endpoints in address order, each with its own DNAT chain
    const targets = ['10.244.1.2:8080', '10.244.2.3:8080', '10.244.2.10:8080'];
    expect(svcRules.slice(1).map((r) => r.split(' -j ')[1])).toEqual(targets.map((t) => sepChain(KEY, t)));
    for (const t of targets) {
      const sep = text(rs, 'nat', sepChain(KEY, t));
      expect(sep).toContain(`-s ${t.split(':')[0]}/32 -j BRAMBLE-MARK-MASQ`); // hairpin
      expect(sep).toContain(`-p tcp -m tcp -j DNAT --to-destination ${t}`);
    }
    expect(text(rs, 'nat', 'BRAMBLE-SERVICES')).toContain(`-d 10.43.0.10/32 -p tcp -m tcp --dport 80 -j ${svcChain(KEY)}`);
    expect(chain(rs, 'nat', 'BRAMBLE-SERVICES')!.rules.at(-1)!.join(' ')).toContain('-m addrtype --dst-type LOCAL -j BRAMBLE-NODEPORTS');
    expect(text(rs, 'nat', 'BRAMBLE-POSTROUTING')).toContain('-j MASQUERADE --random-fully');
    expect(text(rs, 'nat', 'BRAMBLE-MARK-MASQ')).toBe('-A BRAMBLE-MARK-MASQ -j MARK --or-mark 0x4000');
  });

  it.each([
    ['by the service port name', { name: 'http', port: 80, targetPort: 'web' }, [{ name: 'http', port: 8080 }], 8080],
    ['by the targetPort name', { name: 'http', port: 80, targetPort: 'web' }, [{ name: 'metrics', port: 9090 }, { name: 'web', port: 8081 }], 8081],
    ['the single unnamed port', { port: 80, targetPort: 8080 }, [{ port: 8080 }], 8080],
    ['a numeric targetPort without endpoint ports', { port: 80, targetPort: 8082 }, [], 8082],
    ['no targetPort: the service port', { port: 80 }, [], 80],
  ] as const)('resolves the target port %s', (_, port, epPorts, want) => {
    const rs = rules([svc('web', {}, [port as ServicePort])], [eps('web', ['10.244.1.2'], epPorts as any)]);
    expect(toRestore(rs)).toContain(`--to-destination 10.244.1.2:${want}`);
  });

  it('gives a named targetPort no endpoints when no endpoint port matches', () => {
    const rs = rules([svc('web', {}, [{ name: 'http', port: 80, targetPort: 'web' }])], [eps('web', ['10.244.1.2'], [{ name: 'other', port: 1 }])]);
    expect(named(rs, 'BRAMBLE-SEP-')).toEqual([]);
    expect(text(rs, 'filter', 'BRAMBLE-SERVICES')).toContain('-j REJECT');
  });

  it('handles UDP', () => {
    const rs = rules([svc('dns', {}, [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }])], [eps('dns', ['10.244.1.5'], [{ name: 'dns', port: 53, protocol: 'UDP' } as any])]);
    const key = servicePortKey('default', 'dns', 'dns', 'udp');
    expect(text(rs, 'nat', 'BRAMBLE-SERVICES')).toContain(`-d 10.43.0.10/32 -p udp -m udp --dport 53 -j ${svcChain(key)}`);
    expect(text(rs, 'nat', sepChain(key, '10.244.1.5:53'))).toContain('-p udp -m udp -j DNAT --to-destination 10.244.1.5:53');
  });

  it('keeps ClientIP affinity with recent lists', () => {
    const rs = rules([svc('web', { sessionAffinity: 'ClientIP' })], [eps('web', ['10.244.1.2', '10.244.1.3'])]);
    const s = chain(rs, 'nat', svcChain(KEY))!.rules.map((r) => r.join(' '));
    const seps = ['10.244.1.2:8080', '10.244.1.3:8080'].map((t) => sepChain(KEY, t));
    expect(s[1]).toContain(`-m recent --name ${seps[0]} --mask 255.255.255.255 --rsource --rcheck --seconds 10800 --reap -j ${seps[0]}`);
    expect(s[2]).toContain(`--rcheck --seconds 10800 --reap -j ${seps[1]}`);
    expect(s[3]).toContain('--probability 0.5000000000');
    expect(text(rs, 'nat', seps[0])).toContain(`-m recent --name ${seps[0]} --mask 255.255.255.255 --rsource --set -j DNAT`);
  });

  it('honours sessionAffinityConfig timeoutSeconds', () => {
    const rs = rules([svc('web', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })], [eps('web', ['10.244.1.2'])]);
    expect(text(rs, 'nat', svcChain(KEY))).toContain('--seconds 60 --reap');
  });

  it.each([['headless', { clusterIP: 'None' }], ['ExternalName', { type: 'ExternalName' as const, clusterIP: undefined }], ['no cluster IP', { clusterIP: undefined }]])(
    'writes nothing for a %s service',
    (_, spec) => {
      const rs = rules([svc('web', spec as any)], [eps('web', ['10.244.1.2'])]);
      expect(rs).toEqual(rules([], []));
    },
  );

  it('rejects a service without ready endpoints in the filter table, and skips notReady addresses', () => {
    const rs = rules([svc('web', { type: 'NodePort' }, [{ name: 'http', port: 80, nodePort: 30080 }])], [eps('web', [], undefined, undefined, ['10.244.1.2'])]);
    expect(named(rs, 'BRAMBLE-SVC-')).toEqual([]);
    expect(text(rs, 'filter', 'BRAMBLE-SERVICES')).toContain('-d 10.43.0.10/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable');
    expect(text(rs, 'filter', 'BRAMBLE-EXTERNAL-SERVICES')).toContain('-m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j REJECT');
    expect(rules([svc('web', {})], []).chains.find((c) => c.name === 'BRAMBLE-SERVICES' && c.table === 'filter')!.rules).toHaveLength(1);
  });

  it('opens a NodePort on every local address, masqueraded (policy Cluster)', () => {
    const rs = rules([svc('web', { type: 'NodePort' }, [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }])], [eps('web', ['10.244.2.2'])]);
    const ext = `BRAMBLE-EXT-${svcChain(KEY).slice('BRAMBLE-SVC-'.length)}`;
    expect(text(rs, 'nat', 'BRAMBLE-NODEPORTS')).toContain(`-p tcp -m tcp --dport 30080 -j ${ext}`);
    expect(chain(rs, 'nat', ext)!.rules.map((r) => r.at(-1))).toEqual(['BRAMBLE-MARK-MASQ', svcChain(KEY)]);
    expect(text(rs, 'nat', 'BRAMBLE-SERVICES')).not.toContain('192.168.1.11');
  });

  it('ignores a node port outside 30000–32767', () => {
    const rs = rules([svc('web', { type: 'NodePort' }, [{ name: 'http', port: 80, targetPort: 8080, nodePort: 80 }])], [eps('web', ['10.244.2.2'])]);
    expect(chain(rs, 'nat', 'BRAMBLE-NODEPORTS')!.rules).toEqual([]);
  });

  it('serves a LoadBalancer on its node port and on the service port of every node address and ingress IP', () => {
    const lb = svc('web', { type: 'LoadBalancer' }, [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]);
    lb.status = { loadBalancer: { ingress: [{ ip: '192.168.1.200' }, { hostname: 'lb.example' }] } };
    const rs = rules([lb], [eps('web', ['10.244.2.2'])]);
    const s = text(rs, 'nat', 'BRAMBLE-SERVICES');
    expect(s).toContain('-d 192.168.1.11/32 -p tcp -m tcp --dport 80 -j BRAMBLE-EXT-');
    expect(s).toContain('-d 192.168.1.200/32 -p tcp -m tcp --dport 80 -j BRAMBLE-EXT-');
    expect(text(rs, 'nat', 'BRAMBLE-NODEPORTS')).toContain('--dport 30080 -j BRAMBLE-EXT-');
  });

  it('sends external traffic to local endpoints only, unmasqueraded, with externalTrafficPolicy Local', () => {
    const local = svc('web', { type: 'NodePort', externalTrafficPolicy: 'Local' }, [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]);
    const rs = rules([local], [eps('web', ['10.244.1.2', '10.244.1.3', '10.244.2.2'], undefined, (ip) => (ip.startsWith('10.244.1.') ? 'n1' : 'n2'))]);
    const h = svcChain(KEY).slice('BRAMBLE-SVC-'.length);
    const ext = chain(rs, 'nat', `BRAMBLE-EXT-${h}`)!.rules.map((r) => r.join(' '));
    expect(ext[0]).toContain(`-s ${CIDR} -j ${svcChain(KEY)}`);
    expect(ext[1]).toContain('--src-type LOCAL -j BRAMBLE-MARK-MASQ');
    expect(ext[2]).toContain(`--src-type LOCAL -j ${svcChain(KEY)}`);
    expect(ext[3]).toBe(`-j BRAMBLE-SVL-${h}`);
    const svl = chain(rs, 'nat', `BRAMBLE-SVL-${h}`)!.rules.map((r) => r.at(-1));
    expect(svl).toEqual(['10.244.1.2:8080', '10.244.1.3:8080'].map((t) => sepChain(KEY, t)));
    expect(text(rs, 'nat', `BRAMBLE-SVL-${h}`)).not.toContain('MARK-MASQ');
    // the cluster IP still reaches all three
    expect(chain(rs, 'nat', svcChain(KEY))!.rules).toHaveLength(4);
  });

  it('drops external traffic of a policy Local service without local endpoints', () => {
    const local = svc('web', { type: 'NodePort', externalTrafficPolicy: 'Local' }, [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]);
    const rs = rules([local], [eps('web', ['10.244.2.2'])]);
    expect(named(rs, 'BRAMBLE-SVL-')).toEqual([]);
    expect(text(rs, 'filter', 'BRAMBLE-EXTERNAL-SERVICES')).toContain('--dport 30080 -j DROP');
  });

  it('is deterministic whatever the input order', () => {
    const a = svc('a', { clusterIP: '10.43.0.1' });
    const b = svc('b', { clusterIP: '10.43.0.2', type: 'NodePort' }, [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30001 }]);
    const ea = eps('a', ['10.244.1.9', '10.244.1.2']);
    const eb = eps('b', ['10.244.3.1']);
    const one = toRestore(rules([a, b], [ea, eb]));
    const two = toRestore(rules([b, a], [eb, { ...ea, subsets: [{ ...ea.subsets![0], addresses: [...ea.subsets![0].addresses!].reverse() }] }]));
    expect(two).toBe(one);
    expect(one).toMatch(/^\*nat\n:BRAMBLE-SERVICES - \[0:0\]\n/);
    expect(one).toContain('--comment "bramble service traffic requiring SNAT"');
  });

  it('forwards pod traffic and masquerades only what leaves the cluster, given the pod subnet', () => {
    const rs = computeRules({ services: [], endpoints: [], node: NODE, clusterCidr: CIDR, podCidr: '10.244.1.0/24' });
    expect(text(rs, 'filter', 'BRAMBLE-FORWARD')).toBe(
      [
        '-A BRAMBLE-FORWARD -m comment --comment "bramble pod traffic" -s 10.244.0.0/16 -j ACCEPT',
        '-A BRAMBLE-FORWARD -m comment --comment "bramble pod traffic" -d 10.244.0.0/16 -j ACCEPT',
      ].join('\n'),
    );
    expect(text(rs, 'nat', 'BRAMBLE-POSTROUTING').split('\n')[0]).toBe(
      '-A BRAMBLE-POSTROUTING -m comment --comment "bramble pod traffic leaving the cluster" -s 10.244.1.0/24 ! -d 10.244.0.0/16 -j MASQUERADE',
    );
    expect(text(rules([], []), 'filter', 'BRAMBLE-FORWARD')).toBe(''); // declared, empty
  });

  it('sends the cluster DNS IP to the local DNS server instead of its endpoints', () => {
    const dnsSvc = { ...svc('kube-dns', { clusterIP: '10.43.0.10' }, [{ name: 'dns', port: 53, protocol: 'UDP' }]), metadata: { name: 'kube-dns', namespace: 'kube-system' } } as Service;
    const rs = computeRules({ services: [dnsSvc], endpoints: [], node: NODE, clusterCidr: CIDR, localDns: { clusterIP: '10.43.0.10', ip: '10.244.1.1', port: 10053 } });
    expect(text(rs, 'nat', 'BRAMBLE-SERVICES')).toContain(
      '-A BRAMBLE-SERVICES -m comment --comment "cluster DNS, served on this node" -d 10.43.0.10/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.244.1.1:10053',
    );
    expect(text(rs, 'nat', 'BRAMBLE-SERVICES')).toContain('-p tcp -m tcp --dport 53 -j DNAT --to-destination 10.244.1.1:10053');
    expect(text(rs, 'filter', 'BRAMBLE-SERVICES')).toBe(''); // no REJECT for the endpoint-less kube-dns
  });

  it('keeps every chain name within 28 characters', () => {
    const long = svc('a-very-long-service-name-that-goes-on-and-on', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP' }, [
      { name: 'a-long-port-name', port: 80, nodePort: 30080 },
    ]);
    const rs = rules([long], [eps(long.metadata.name!, ['10.244.1.2'], [{ name: 'a-long-port-name', port: 80 }], () => 'n1')]);
    expect(rs.chains.length).toBeGreaterThan(8);
    for (const c of rs.chains) expect(c.name.length).toBeLessThanOrEqual(MAX_CHAIN_NAME);
  });
});

describe('base32', () => {
  it.each([['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foobar', 'MZXW6YTBOI']])('encodes %j as RFC 4648', (s, want) => {
    expect(base32(Buffer.from(s))).toBe(want);
  });
});
