// records: the cluster zone as an index, built once per change of services or endpoints, and the
// answer to one question against it. Names and semantics follow CoreDNS' kubernetes plugin (TTL
// 5, `pods insecure`), so workloads written for Kubernetes resolve the same names here:
//
//   <svc>.<ns>.svc.<domain>                A/AAAA cluster IP | A per ready endpoint (headless) | CNAME (ExternalName)
//   <ep>.<svc>.<ns>.svc.<domain>           A of one endpoint of a headless service (<ep>: hostname, else a-b-c-d)
//   _<port>._<proto>.<svc>.<ns>.svc.<dom>  SRV per named port (target: the service, or each endpoint when headless)
//   <svc>.<ns>.svc.<domain> SRV            every port, named or not
//   <a-b-c-d>.<ns>.pod.<domain>            A a.b.c.d, for any address (as `pods insecure`)
//   d.c.b.a.in-addr.arpa                   PTR of a cluster IP (or headless endpoint); other addresses are forwarded
//
// Pure: no sockets, no clock. The server calls `answer` per query against the latest index.
import { isIP } from 'node:net';
import type { Answer, SoaAnswer, SrvAnswer, StringAnswer } from 'dns-packet';
import type { Endpoints, Service } from '../../shared/api/service.js';
import { dashed, isIPv4, isUnder, normalizeName, podIp, reverseName } from './names.js';

export const TTL = 5;
export const DEFAULT_DOMAIN = 'cluster.local';
const MAX_CNAME_CHAIN = 8; // in-zone CNAME chasing stops here, so a loop of ExternalNames cannot spin
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;

export interface RecordsInput {
  services: Service[];
  endpoints: Endpoints[];
  domain?: string; // default cluster.local
}

export interface Question {
  name: string;
  type: string; // 'A' | 'AAAA' | 'SRV' | 'PTR' | 'ANY' | …, as dns-packet spells them
}

export interface LocalAnswer {
  kind: 'answer';
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  additionals: Answer[]; // addresses of SRV targets, saving the client a round trip
  authorities: Answer[]; // the zone's SOA on NXDOMAIN and NODATA, so resolvers may cache the miss (RFC 2308)
}

export type RecordsResult = LocalAnswer | { kind: 'forward' };

const FORWARD: RecordsResult = { kind: 'forward' };

const address = (name: string, ip: string): StringAnswer => ({ name, type: isIPv4(ip) ? 'A' : 'AAAA', ttl: TTL, class: 'IN', data: ip });
const srv = (name: string, port: number, target: string): SrvAnswer =>
  ({ name, type: 'SRV', ttl: TTL, class: 'IN', data: { priority: 0, weight: 100, port, target } });

export class ClusterRecords {
  readonly domain: string;
  private readonly byName = new Map<string, Answer[]>();
  private readonly added = new Set<string>(); // name|type|data: the same record reached twice is kept once
  // Names holding records and all their ancestors inside the zone: an empty non-terminal such as
  // "<ns>.svc.<domain>" exists (NODATA), only names outside this set are NXDOMAIN.
  private readonly existing = new Set<string>();
  // PTRs of cluster IPs take precedence over those of headless endpoints sharing an address.
  private readonly servicePtrs = new Map<string, string>();
  private readonly endpointPtrs = new Map<string, string>();

  constructor(input: RecordsInput) {
    this.domain = normalizeName(input.domain ?? DEFAULT_DOMAIN);
    this.exist(`pod.${this.domain}`);
    const endpoints = new Map(input.endpoints.map((e) => [`${e.metadata.namespace ?? 'default'}/${e.metadata.name}`, e]));
    for (const svc of input.services) {
      const name = svc.metadata.name;
      if (!name) continue;
      const ns = svc.metadata.namespace ?? 'default';
      const fqdn = normalizeName(`${name}.${ns}.svc.${this.domain}`);
      this.exist(fqdn); // a service without an address yet still exists: NODATA, not NXDOMAIN
      if (svc.spec.type === 'ExternalName') this.addExternalName(svc, fqdn);
      else if (svc.spec.clusterIP === 'None') this.addHeadless(fqdn, endpoints.get(`${ns}/${name}`));
      else this.addClusterIP(svc, fqdn);
    }
  }

  answer(q: Question): RecordsResult {
    return this.resolve(normalizeName(q.name), q.type.toUpperCase(), 0);
  }

  private resolve(name: string, type: string, depth: number): RecordsResult {
    if (isUnder(name, 'in-addr.arpa')) return this.reverse(name, type);
    if (!isUnder(name, this.domain)) return FORWARD;
    if (name === this.domain && (type === 'SOA' || type === 'ANY')) return found([this.soa()]);
    const pod = this.pod(name, type);
    if (pod) return pod;
    const records = this.byName.get(name);
    if (!records) return this.empty(this.existing.has(name) ? 'NOERROR' : 'NXDOMAIN');
    const cname = records.find((r) => r.type === 'CNAME');
    if (cname && type !== 'CNAME' && type !== 'ANY') return this.follow(cname as StringAnswer, type, depth);
    const answers = type === 'ANY' ? records : records.filter((r) => r.type === type);
    if (answers.length === 0) return this.empty('NOERROR');
    return { ...found(answers), additionals: this.targetAddresses(answers) };
  }

  // follow answers a CNAME, chasing in-zone targets here; an outside target is left for the
  // server, which asks the upstreams for it.
  private follow(cname: StringAnswer, type: string, depth: number): RecordsResult {
    const target = normalizeName(cname.data);
    if (depth >= MAX_CNAME_CHAIN || !isUnder(target, this.domain)) return found([cname]);
    const next = this.resolve(target, type, depth + 1);
    return next.kind === 'answer' ? { ...next, answers: [cname, ...next.answers] } : found([cname]);
  }

  // pod answers names under pod.<domain>: a namespace level exists, "a-b-c-d.<ns>" is an address.
  private pod(name: string, type: string): LocalAnswer | undefined {
    const zone = `pod.${this.domain}`;
    if (name === zone || !isUnder(name, zone)) return undefined;
    const labels = name.slice(0, -zone.length - 1).split('.');
    if (labels.length === 1) return this.empty('NOERROR');
    const ip = labels.length === 2 ? podIp(labels[0]) : undefined;
    if (!ip) return this.empty('NXDOMAIN');
    return type === 'A' || type === 'ANY' ? found([address(name, ip)]) : this.empty('NOERROR');
  }

  private reverse(name: string, type: string): RecordsResult {
    const target = this.servicePtrs.get(name) ?? this.endpointPtrs.get(name);
    if (!target) return FORWARD; // not ours: the upstream knows host and LAN addresses
    if (type !== 'PTR' && type !== 'ANY') return found([]); // NODATA; no SOA, we do not own in-addr.arpa
    return found([{ name, type: 'PTR', ttl: TTL, class: 'IN', data: target }]);
  }

  private targetAddresses(answers: Answer[]): Answer[] {
    const targets = new Set(answers.flatMap((a) => (a.type === 'SRV' ? [a.data.target] : [])));
    return [...targets].flatMap((t) => (this.byName.get(t) ?? []).filter((r) => r.type === 'A' || r.type === 'AAAA'));
  }

  private empty(rcode: LocalAnswer['rcode']): LocalAnswer {
    return { kind: 'answer', rcode, answers: [], additionals: [], authorities: [this.soa()] };
  }

  private soa(): SoaAnswer {
    const d = this.domain;
    return {
      name: d, type: 'SOA', ttl: TTL, class: 'IN',
      data: { mname: `ns.dns.${d}`, rname: `hostmaster.${d}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL },
    };
  }

  private addClusterIP(svc: Service, fqdn: string): void {
    const ips: string[] = svc.spec.clusterIPs ?? (svc.spec.clusterIP ? [svc.spec.clusterIP] : []);
    for (const ip of ips.filter((i) => isIP(i))) {
      this.add(address(fqdn, ip));
      if (isIPv4(ip)) this.servicePtrs.set(reverseName(ip), fqdn);
    }
    for (const p of svc.spec.ports ?? []) this.addSrv(fqdn, p.name, p.protocol, p.port, fqdn);
  }

  // addHeadless publishes the ready addresses only: notReadyAddresses must not receive traffic.
  private addHeadless(fqdn: string, eps: Endpoints | undefined): void {
    for (const subset of eps?.subsets ?? []) {
      for (const a of subset.addresses ?? []) {
        if (!isIP(a.ip)) continue;
        const target = `${a.hostname && DNS_LABEL.test(a.hostname) ? a.hostname : dashed(a.ip)}.${fqdn}`.toLowerCase();
        this.add(address(fqdn, a.ip));
        this.add(address(target, a.ip));
        const rev = reverseName(a.ip);
        if (isIPv4(a.ip) && !this.endpointPtrs.has(rev)) this.endpointPtrs.set(rev, target);
        for (const p of subset.ports ?? []) this.addSrv(fqdn, p.name, p.protocol, p.port, target);
      }
    }
  }

  // addExternalName: a CNAME owns its name alone (RFC 1034 §3.6.2), so no SRV at the bare name;
  // named ports still get SRV records pointing at the external host.
  private addExternalName(svc: Service, fqdn: string): void {
    const target = normalizeName(svc.spec.externalName ?? '');
    if (!target) return;
    this.add({ name: fqdn, type: 'CNAME', ttl: TTL, class: 'IN', data: target });
    for (const p of svc.spec.ports ?? []) {
      if (p.name) this.add(srv(`_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${fqdn}`, p.port, target));
    }
  }

  private addSrv(fqdn: string, portName: string | undefined, protocol: string | undefined, port: number, target: string): void {
    this.add(srv(fqdn, port, target));
    if (portName) this.add(srv(`_${portName}._${(protocol ?? 'TCP').toLowerCase()}.${fqdn}`, port, target));
  }

  private add(record: Answer): void {
    const name = normalizeName(record.name);
    const key = `${name}|${record.type}|${JSON.stringify('data' in record ? record.data : '')}`;
    if (this.added.has(key)) return;
    this.added.add(key);
    const list = this.byName.get(name) ?? [];
    list.push({ ...record, name } as Answer);
    this.byName.set(name, list);
    this.exist(name);
  }

  // exist marks name and its ancestors up to the zone apex; an ancestor already marked has its
  // own ancestors marked too, so the walk stops there.
  private exist(name: string): void {
    let n = name;
    while (isUnder(n, this.domain) && !this.existing.has(n)) {
      this.existing.add(n);
      if (n === this.domain) break;
      n = n.slice(n.indexOf('.') + 1);
    }
  }
}

function found(answers: Answer[]): LocalAnswer {
  return { kind: 'answer', rcode: 'NOERROR', answers, additionals: [], authorities: [] };
}
