import { describe, expect, it } from 'vitest';
import type { Endpoints, Service } from '../../shared/api/service.js';
import { ClusterRecords, type LocalAnswer, type RecordsResult } from './records.js';

const svc = (name: string, spec: Service['spec'], namespace = 'default'): Service =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
const eps = (name: string, subsets: Endpoints['subsets'], namespace = 'default'): Endpoints =>
  ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace }, subsets });

const services: Service[] = [
  svc('web', { type: 'ClusterIP', clusterIP: '10.43.0.20', ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { port: 8080 }] }),
  svc('dns', { clusterIP: '10.43.0.10', ports: [{ name: 'dns', protocol: 'UDP', port: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53 }] }, 'kube-system'),
  svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
  svc('empty', { clusterIP: 'None' }),
  svc('pending', { type: 'ClusterIP' }),
  svc('ext', { type: 'ExternalName', externalName: 'Example.COM.', ports: [{ name: 'https', port: 443 }] }),
  svc('alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
];
const endpoints: Endpoints[] = [
  eps('db', [{
    addresses: [{ ip: '10.42.1.5', hostname: 'db-0' }, { ip: '10.42.2.6' }],
    notReadyAddresses: [{ ip: '10.42.3.7', hostname: 'db-2' }],
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  }]),
  eps('web', [{ addresses: [{ ip: '10.42.1.9' }], ports: [{ name: 'http', port: 8000 }] }]),
];
const records = new ClusterRecords({ services, endpoints });

function local(r: RecordsResult): LocalAnswer {
  if (r.kind !== 'answer') throw new Error('expected a local answer, got forward');
  return r;
}
const ask = (name: string, type = 'A') => local(records.answer({ name, type }));
const data = (r: LocalAnswer) => r.answers.map((a) => ('data' in a ? a.data : undefined));

describe('ClusterRecords', () => {
  it('answers a ClusterIP service with its cluster IP, TTL 5', () => {
    const r = ask('web.default.svc.cluster.local');
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([{ name: 'web.default.svc.cluster.local', type: 'A', ttl: 5, class: 'IN', data: '10.43.0.20' }]);
    expect(data(ask('dns.kube-system.svc.cluster.local'))).toEqual(['10.43.0.10']);
  });

  it('is case-insensitive and tolerates the trailing dot', () => {
    expect(data(ask('WEB.Default.SVC.cluster.local.'))).toEqual(['10.43.0.20']);
    expect(records.answer({ name: 'web.default.svc.cluster.local', type: 'a' }).kind).toBe('answer');
  });

  it('answers a headless service with one A per ready endpoint, never the not-ready ones', () => {
    expect(data(ask('db.default.svc.cluster.local')).sort()).toEqual(['10.42.1.5', '10.42.2.6']);
  });

  it('answers endpoint names of a headless service: the hostname, else the dashed address', () => {
    expect(data(ask('db-0.db.default.svc.cluster.local'))).toEqual(['10.42.1.5']);
    expect(data(ask('10-42-2-6.db.default.svc.cluster.local'))).toEqual(['10.42.2.6']);
    expect(ask('db-2.db.default.svc.cluster.local').rcode).toBe('NXDOMAIN'); // not ready
  });

  it('gives no endpoint names to ClusterIP services', () => {
    expect(ask('10-42-1-9.web.default.svc.cluster.local').rcode).toBe('NXDOMAIN');
  });

  it('answers an ExternalName service with a CNAME, for any type', () => {
    const r = ask('ext.default.svc.cluster.local');
    expect(r.answers).toEqual([{ name: 'ext.default.svc.cluster.local', type: 'CNAME', ttl: 5, class: 'IN', data: 'example.com' }]);
    expect(ask('ext.default.svc.cluster.local', 'AAAA').answers.map((a) => a.type)).toEqual(['CNAME']);
    expect(ask('ext.default.svc.cluster.local', 'CNAME').answers.map((a) => a.type)).toEqual(['CNAME']);
  });

  it('follows a CNAME to a target inside the zone', () => {
    const r = ask('alias.default.svc.cluster.local');
    expect(r.answers.map((a) => [a.type, 'data' in a && a.data])).toEqual([
      ['CNAME', 'web.default.svc.cluster.local'],
      ['A', '10.43.0.20'],
    ]);
  });

  it('answers SRV of a named port of a ClusterIP service with the service as target', () => {
    const r = ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
    expect(r.answers).toEqual([{
      name: '_http._tcp.web.default.svc.cluster.local', type: 'SRV', ttl: 5, class: 'IN',
      data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
    }]);
    expect(r.additionals.map((a) => 'data' in a && a.data)).toEqual(['10.43.0.20']);
    expect(data(ask('_dns._udp.dns.kube-system.svc.cluster.local', 'SRV'))).toEqual([
      { priority: 0, weight: 100, port: 53, target: 'dns.kube-system.svc.cluster.local' },
    ]);
  });

  it('matches the protocol of an SRV name', () => {
    expect(ask('_dns._tcp.dns.kube-system.svc.cluster.local', 'SRV').rcode).toBe('NXDOMAIN');
    expect(ask('_dns-tcp._tcp.dns.kube-system.svc.cluster.local', 'SRV').answers).toHaveLength(1);
  });

  it('answers SRV at the service name with every port, named or not', () => {
    expect(data(ask('web.default.svc.cluster.local', 'SRV')).map((d: any) => d.port)).toEqual([80, 8080]);
  });

  it('answers SRV of a headless service per endpoint, with endpoint targets and their addresses', () => {
    const r = ask('_pg._tcp.db.default.svc.cluster.local', 'SRV');
    expect(data(r).map((d: any) => [d.target, d.port]).sort()).toEqual([
      ['10-42-2-6.db.default.svc.cluster.local', 5432],
      ['db-0.db.default.svc.cluster.local', 5432],
    ]);
    expect(r.additionals.map((a) => [a.name, 'data' in a && a.data]).sort()).toEqual([
      ['10-42-2-6.db.default.svc.cluster.local', '10.42.2.6'],
      ['db-0.db.default.svc.cluster.local', '10.42.1.5'],
    ]);
  });

  it('answers an ExternalName named port with SRV to the external host', () => {
    expect(data(ask('_https._tcp.ext.default.svc.cluster.local', 'SRV'))).toEqual([{ priority: 0, weight: 100, port: 443, target: 'example.com' }]);
  });

  it('answers pod names a-b-c-d.<ns>.pod with the address, in any namespace', () => {
    expect(ask('10-42-0-7.default.pod.cluster.local').answers).toEqual([
      { name: '10-42-0-7.default.pod.cluster.local', type: 'A', ttl: 5, class: 'IN', data: '10.42.0.7' },
    ]);
    expect(data(ask('10-42-0-7.anything.pod.cluster.local'))).toEqual(['10.42.0.7']);
    expect(ask('10-42-0-7.default.pod.cluster.local', 'AAAA')).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(ask('10-42-0-999.default.pod.cluster.local').rcode).toBe('NXDOMAIN');
    expect(ask('not-an-ip.default.pod.cluster.local').rcode).toBe('NXDOMAIN');
    expect(ask('x.10-42-0-7.default.pod.cluster.local').rcode).toBe('NXDOMAIN');
    expect(ask('default.pod.cluster.local')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('answers PTR of a cluster IP with the service name, and of a headless endpoint with its name', () => {
    expect(ask('20.0.43.10.in-addr.arpa', 'PTR').answers).toEqual([
      { name: '20.0.43.10.in-addr.arpa', type: 'PTR', ttl: 5, class: 'IN', data: 'web.default.svc.cluster.local' },
    ]);
    expect(data(ask('10.0.43.10.IN-ADDR.ARPA.', 'PTR'))).toEqual(['dns.kube-system.svc.cluster.local']);
    expect(data(ask('5.1.42.10.in-addr.arpa', 'PTR'))).toEqual(['db-0.db.default.svc.cluster.local']);
    expect(ask('20.0.43.10.in-addr.arpa', 'A')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('forwards other reverse names', () => {
    expect(records.answer({ name: '1.1.168.192.in-addr.arpa', type: 'PTR' })).toEqual({ kind: 'forward' });
    expect(records.answer({ name: '9.1.42.10.in-addr.arpa', type: 'PTR' })).toEqual({ kind: 'forward' }); // a ClusterIP service's endpoint
  });

  it('answers NODATA (NOERROR, no answers, the SOA) for an existing name of another type', () => {
    const r = ask('web.default.svc.cluster.local', 'AAAA');
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([]);
    expect(r.authorities.map((a) => [a.type, a.name])).toEqual([['SOA', 'cluster.local']]);
    expect(ask('db.default.svc.cluster.local', 'TXT')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('answers NODATA for services without addresses and for names above services', () => {
    for (const name of ['empty.default.svc.cluster.local', 'pending.default.svc.cluster.local', 'default.svc.cluster.local',
      'svc.cluster.local', 'cluster.local', 'pod.cluster.local', '_tcp.web.default.svc.cluster.local']) {
      expect(ask(name), name).toMatchObject({ rcode: 'NOERROR', answers: [] });
    }
  });

  it('answers SOA at the zone apex', () => {
    expect(ask('cluster.local', 'SOA').answers.map((a) => a.type)).toEqual(['SOA']);
  });

  it('answers NXDOMAIN, with the SOA, for missing names in the zone', () => {
    for (const name of ['nope.default.svc.cluster.local', 'web.other.svc.cluster.local', 'web.default.cluster.local',
      '_http._udp.web.default.svc.cluster.local', 'a.b.web.default.svc.cluster.local', 'foo.cluster.local']) {
      const r = ask(name);
      expect(r.rcode, name).toBe('NXDOMAIN');
      expect(r.authorities.map((a) => a.type)).toEqual(['SOA']);
    }
  });

  it('answers ANY with every record at the name', () => {
    expect(ask('web.default.svc.cluster.local', 'ANY').answers.map((a) => a.type).sort()).toEqual(['A', 'SRV', 'SRV']);
  });

  it('forwards names outside the zone', () => {
    for (const name of ['example.com', 'cluster.local.example.com', 'xcluster.local', 'local', 'fe80::1.ip6.arpa']) {
      expect(records.answer({ name, type: 'A' }), name).toEqual({ kind: 'forward' });
    }
  });

  it('serves another domain when asked', () => {
    const r = new ClusterRecords({ services, endpoints, domain: 'Edge.Lan.' });
    expect(r.domain).toBe('edge.lan');
    expect(local(r.answer({ name: 'web.default.svc.edge.lan', type: 'A' })).answers).toHaveLength(1);
    expect(r.answer({ name: 'web.default.svc.cluster.local', type: 'A' })).toEqual({ kind: 'forward' });
  });

  it('tolerates odd input: unnamed services, bad addresses, a CNAME loop', () => {
    const r = new ClusterRecords({
      services: [
        { apiVersion: 'v1', kind: 'Service', metadata: {}, spec: { clusterIP: '10.43.0.1' } },
        svc('bad', { clusterIP: 'not-an-ip' }),
        svc('h', { clusterIP: 'None' }),
        svc('a', { type: 'ExternalName', externalName: 'b.default.svc.cluster.local' }),
        svc('b', { type: 'ExternalName', externalName: 'a.default.svc.cluster.local' }),
      ],
      endpoints: [eps('h', [{ addresses: [{ ip: 'garbage' }, { ip: '10.42.0.3', hostname: 'has.dot' }] }])],
    });
    expect(local(r.answer({ name: 'bad.default.svc.cluster.local', type: 'A' }))).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(data(local(r.answer({ name: 'h.default.svc.cluster.local', type: 'A' })))).toEqual(['10.42.0.3']);
    expect(data(local(r.answer({ name: '10-42-0-3.h.default.svc.cluster.local', type: 'A' })))).toEqual(['10.42.0.3']);
    expect(local(r.answer({ name: 'a.default.svc.cluster.local', type: 'A' })).answers.length).toBeLessThanOrEqual(10);
  });

  it('answers IPv6 cluster IPs as AAAA', () => {
    const r = new ClusterRecords({ services: [svc('v6', { clusterIPs: ['10.43.0.30', 'fd00::30'] })], endpoints: [] });
    expect(data(local(r.answer({ name: 'v6.default.svc.cluster.local', type: 'AAAA' })))).toEqual(['fd00::30']);
    expect(data(local(r.answer({ name: 'v6.default.svc.cluster.local', type: 'A' })))).toEqual(['10.43.0.30']);
  });
});
