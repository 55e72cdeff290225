import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Endpoints, Service } from '../../shared/api/service.js';
import type { NetworkMap } from '../../shared/mqtt/payloads.js';
import type { ClusterSnapshot } from '../cluster-view.js';
import type { Exec } from '../proxy/iptables.js';
import { servicePortKey, svcChain } from '../proxy/names.js';
import { DEFAULT_CLUSTER_DNS, NodeNetwork, type NodeNetworkOptions } from './node-network.js';

// fakeHost emulates what NodeNetwork runs: iptables-save/-restore and iptables -N/-C/-I (chain
// names per table, hook rules), and `ip route` for Bramble's proto 151 routes. It records every
// call; failRestore makes the next n iptables-restore calls fail.
function fakeHost() {
  const chains = { nat: new Set<string>(), filter: new Set<string>(['DOCKER-USER']) };
  const hooks: string[] = [];
  const routes = new Map<string, string>();
  const calls: { argv: string[]; input?: string }[] = [];
  const h = { chains, hooks, routes, calls, failRestore: 0, gate: undefined as Promise<void> | undefined, exec: undefined as unknown as Exec };
  const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
  h.exec = async (argv, input) => {
    calls.push({ argv, input });
    if (h.gate) await h.gate;
    if (argv[0] === 'iptables-save') {
      const tables = argv[2] ? [argv[2] as 'nat' | 'filter'] : (['nat', 'filter'] as const);
      return ok(tables.flatMap((t) => [`*${t}`, ...[...chains[t]].map((c) => `:${c} - [0:0]`), 'COMMIT']).join('\n'));
    }
    if (argv[0] === 'iptables-restore') {
      if (h.failRestore > 0) {
        h.failRestore--;
        return { code: 4, stdout: '', stderr: 'Another app is currently holding the xtables lock.' };
      }
      let table: 'nat' | 'filter' = 'nat';
      for (const l of input!.split('\n')) {
        if (l.startsWith('*')) table = l.slice(1) as 'nat' | 'filter';
        else if (l.startsWith(':')) chains[table].add(l.slice(1).split(' ')[0]);
        else if (l.startsWith('-X ')) chains[table].delete(l.slice(3));
      }
      return ok();
    }
    if (argv[0] === 'ip') {
      if (argv[1] === '-4') return ok([...routes].map(([c, v]) => `${c} via ${v} dev eth0 proto 151 \n`).join(''));
      if (argv[2] === 'replace') routes.set(argv[3], argv[5]);
      if (argv[2] === 'del') routes.delete(argv[3]);
      return ok();
    }
    const [, , , , table, op, chain, ...rest] = argv; // iptables -w 5 -t <table> <op> <chain> …
    if (op === '-N') {
      const set = chains[table as 'nat' | 'filter'];
      if (set.has(chain)) return { code: 1, stdout: '', stderr: 'Chain already exists.' };
      set.add(chain);
      return ok();
    }
    const rule = `${table} ${chain} ${(op === '-I' ? rest.slice(1) : rest).join(' ')}`;
    if (op === '-C') return hooks.includes(rule) ? ok() : { code: 1, stdout: '', stderr: 'no such rule' };
    if (op === '-I') hooks.push(rule);
    return ok();
  };
  return h;
}

const svc = (namespace: string, name: string, ip: string, port = 80): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace, name },
  spec: { clusterIP: ip, ports: [{ port, protocol: port === 53 ? 'UDP' : 'TCP' }] },
});
const eps = (namespace: string, name: string, ips: string[], port = 8080): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { namespace, name },
  subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port }] }],
});
const MAP: NetworkMap = {
  v: 1,
  clusterCIDR: '10.100.0.0/16',
  nodes: [
    { name: 'n1', podCIDR: '10.100.1.0/24', addresses: ['192.168.1.11'] },
    { name: 'n2', podCIDR: '10.100.2.0/24', addresses: ['192.168.1.12'] },
    { name: 'n3', podCIDR: '10.100.3.0/24', addresses: ['192.168.1.13'] },
  ],
};
const WEB = svc('default', 'web', '10.43.0.20');
const WEB_EPS = eps('default', 'web', ['10.100.2.7']);
const DNS_SVC = svc('kube-system', 'kube-dns', '10.43.0.53', 53);

function fakeDns() {
  return {
    port: 10053,
    serve: vi.fn(async (_gateway: string, _services: Service[], _endpoints: Endpoints[]) => {}),
    close: vi.fn(async () => {}),
  };
}

function fakeLog() {
  const warns: string[] = [];
  const infos: string[] = [];
  return { warns, infos, info: (_o: object, msg: string) => void infos.push(msg), warn: (_o: object, msg: string) => void warns.push(msg) };
}

const made: NodeNetwork[] = [];
afterEach(async () => {
  for (const n of made.splice(0)) await n.stop();
});

function setup(o: Partial<NodeNetworkOptions> = {}, snap: ClusterSnapshot = { services: [WEB], endpoints: [WEB_EPS], network: MAP }) {
  const host = fakeHost();
  const dns = fakeDns();
  const log = fakeLog();
  const synced: number[] = [];
  const view = { snap };
  const net = new NodeNetwork({
    nodeName: 'n1',
    nodeIp: '192.168.1.11',
    exec: host.exec,
    snapshot: () => view.snap,
    dns,
    log,
    debounceMs: 5,
    retryMs: 10,
    onSynced: (ms) => synced.push(ms),
    ...o,
  });
  made.push(net);
  return { host, dns, log, synced, view, net };
}

const restores = (h: ReturnType<typeof fakeHost>) => h.calls.filter((c) => c.argv[0] === 'iptables-restore').map((c) => c.input!);
const ipCalls = (h: ReturnType<typeof fakeHost>) => h.calls.filter((c) => c.argv[0] === 'ip').map((c) => c.argv.join(' '));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('NodeNetwork sync', () => {
  it('writes the service chains, the pod network and cluster DNS rules, and routes to the other nodes', async () => {
    const { host, dns, synced, net } = setup({}, { services: [WEB, DNS_SVC], endpoints: [WEB_EPS], network: MAP });
    await net.syncNow();
    expect(synced).toHaveLength(1);

    const [input] = restores(host);
    const chain = svcChain(servicePortKey('default', 'web', 80, 'tcp'));
    expect(input).toContain(`:${chain} - [0:0]`);
    expect(input).toContain(`-A BRAMBLE-SERVICES -m comment --comment "default/web:80/tcp cluster IP" -d 10.43.0.20/32 -p tcp -m tcp --dport 80 -j ${chain}`);
    expect(input).toMatch(/-j DNAT --to-destination 10\.100\.2\.7:8080$/m);
    // the pod network: forwarding within the map's cluster CIDR (not the default one)
    expect(input).toContain('-A BRAMBLE-FORWARD -m comment --comment "bramble pod traffic" -s 10.100.0.0/16 -j ACCEPT');
    expect(input).toContain('-A BRAMBLE-FORWARD -m comment --comment "bramble pod traffic" -d 10.100.0.0/16 -j ACCEPT');
    expect(input).not.toContain('10.42.0.0/16');
    // cluster DNS: kube-dns's ClusterIP :53 goes to this node's server on its pod gateway
    for (const p of ['udp', 'tcp']) {
      expect(input).toContain(`-d 10.43.0.53/32 -p ${p} -m ${p} --dport 53 -j DNAT --to-destination 10.100.1.1:10053`);
    }
    expect(dns.serve).toHaveBeenCalledWith('10.100.1.1', [WEB, DNS_SVC], [WEB_EPS]);
    expect(host.chains.filter.has('BRAMBLE-FORWARD')).toBe(true);
    expect(host.hooks).toContain('filter DOCKER-USER -m comment --comment bramble pod network -j BRAMBLE-FORWARD');

    expect([...host.routes]).toEqual([
      ['10.100.2.0/24', '192.168.1.12'],
      ['10.100.3.0/24', '192.168.1.13'],
    ]);
    expect(ipCalls(host)).toContain('ip route replace 10.100.2.0/24 via 192.168.1.12 proto 151');
    expect(ipCalls(host).some((c) => c.includes('10.100.1.0/24'))).toBe(false);
  });

  it('rewrites only what changed on the next sync and removes routes to nodes that left', async () => {
    const { host, view, net } = setup();
    await net.syncNow();
    host.calls.length = 0;
    await net.syncNow();
    expect(restores(host)).toEqual([]);
    expect(ipCalls(host)).toEqual(['ip -4 route show proto 151']);

    view.snap = { ...view.snap, services: [], endpoints: [], network: { ...MAP, nodes: MAP.nodes.slice(0, 2) } };
    await net.syncNow();
    const [input] = restores(host);
    expect(input).toContain(`-X ${svcChain(servicePortKey('default', 'web', 80, 'tcp'))}`);
    expect([...host.routes.keys()]).toEqual(['10.100.2.0/24']);
  });

  it('uses the fixed pod subnet and the default cluster CIDR and DNS address without a map', async () => {
    const { host, dns, net } = setup({ podCidr: '10.99.0.0/24' }, { services: [WEB], endpoints: [WEB_EPS] });
    await net.syncNow();
    const [input] = restores(host);
    expect(input).toContain('-s 10.42.0.0/16 -j ACCEPT');
    expect(input).toContain(`-d ${DEFAULT_CLUSTER_DNS}/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.99.0.1:10053`);
    expect(input).toContain('-s 10.99.0.0/24 ! -d 10.42.0.0/16 -j MASQUERADE');
    expect(dns.serve).toHaveBeenCalledWith('10.99.0.1', [WEB], [WEB_EPS]);
    expect(host.routes.size).toBe(0);
  });

  it('writes service rules but no pod network or DNS rules before this node has a subnet', async () => {
    const { host, dns, net } = setup({}, { services: [WEB], endpoints: [WEB_EPS], network: { ...MAP, nodes: MAP.nodes.slice(1) } });
    await net.syncNow();
    const [input] = restores(host);
    expect(input).toContain('-d 10.43.0.20/32');
    expect(input).not.toContain('bramble pod traffic');
    expect(input).not.toContain('--dport 53');
    expect(dns.serve).not.toHaveBeenCalled();
    expect(host.routes.size).toBe(2);
  });
});

describe('NodeNetwork podCidr and clusterDns', () => {
  it('podCidr prefers the fixed option, then the map, else undefined', () => {
    expect(setup({ podCidr: '10.99.0.0/24' }).net.podCidr()).toBe('10.99.0.0/24');
    expect(setup().net.podCidr()).toBe('10.100.1.0/24');
    expect(setup({ podCidr: '' }).net.podCidr()).toBe('10.100.1.0/24');
    expect(setup({ nodeName: 'n9' }).net.podCidr()).toBeUndefined();
    expect(setup({}, { services: [], endpoints: [] }).net.podCidr()).toBeUndefined();
  });

  it("clusterDns is kube-system/kube-dns's ClusterIP, else the default", () => {
    expect(setup({}, { services: [WEB, DNS_SVC], endpoints: [] }).net.clusterDns()).toBe('10.43.0.53');
    expect(setup({}, { services: [WEB, svc('default', 'kube-dns', '10.43.0.99')], endpoints: [] }).net.clusterDns()).toBe(DEFAULT_CLUSTER_DNS);
    expect(setup({}, { services: [], endpoints: [] }).net.clusterDns()).toBe('10.43.0.10');
  });
});

describe('NodeNetwork scheduling', () => {
  it('runs one sync for several updates within the debounce', async () => {
    const { host, synced, net } = setup({ debounceMs: 20 });
    net.update();
    net.update();
    await sleep(5);
    net.update();
    await vi.waitFor(() => expect(synced).toHaveLength(1));
    await sleep(50);
    expect(synced).toHaveLength(1);
    expect(restores(host)).toHaveLength(1);
  });

  it('runs exactly one more sync for updates that arrive during a sync', async () => {
    const { host, synced, net } = setup({ debounceMs: 1 });
    let open!: () => void;
    host.gate = new Promise<void>((r) => (open = r));
    net.update();
    await vi.waitFor(() => expect(host.calls.length).toBeGreaterThan(0)); // the sync is under way
    net.update();
    net.update();
    host.gate = undefined;
    open();
    await vi.waitFor(() => expect(synced).toHaveLength(2));
    await sleep(30);
    expect(synced).toHaveLength(2);
  });

  it('retries a failed iptables-restore and logs the error once, not once per attempt', async () => {
    const { host, log, synced, net } = setup();
    host.failRestore = 3;
    await net.syncNow();
    expect(synced).toEqual([]);
    await vi.waitFor(() => expect(synced).toHaveLength(1));
    expect(restores(host)).toHaveLength(4);
    expect(log.warns).toEqual(['cannot sync the network rules: iptables-restore exited 4: Another app is currently holding the xtables lock.; retrying']);
    expect(host.chains.nat.has(svcChain(servicePortKey('default', 'web', 80, 'tcp')))).toBe(true);
  });

  it('logs a recurring error again once it went away in between', async () => {
    const { host, log, synced, net } = setup();
    host.failRestore = 1;
    await net.syncNow();
    await vi.waitFor(() => expect(synced).toHaveLength(1));
    host.failRestore = 1;
    await net.syncNow(); // nothing to write, no restore: succeeds
    host.chains.nat.clear(); // someone flushed the tables: rewrite, which fails
    await net.syncNow();
    await vi.waitFor(() => expect(synced).toHaveLength(3));
    expect(log.warns).toHaveLength(2);
  });

  it('still writes the rules when the DNS server cannot listen', async () => {
    const { host, dns, log, synced, net } = setup();
    dns.serve.mockRejectedValue(new Error('listen EADDRNOTAVAIL 10.100.1.1:10053'));
    await net.syncNow();
    expect(synced).toHaveLength(1);
    expect(restores(host)[0]).toContain('-d 10.43.0.20/32');
    expect(log.warns).toEqual(['cluster DNS cannot listen on 10.100.1.1:10053: listen EADDRNOTAVAIL 10.100.1.1:10053']);
  });

  it('logs each of several persistent errors once, not every retry in turn', async () => {
    const { host, dns, log, synced, net } = setup();
    dns.serve.mockRejectedValue(new Error('listen EADDRNOTAVAIL 10.100.1.1:10053'));
    host.failRestore = 5;
    await net.syncNow();
    await vi.waitFor(() => expect(synced).toHaveLength(1));
    expect(restores(host)).toHaveLength(6);
    expect(log.warns).toEqual([
      'cluster DNS cannot listen on 10.100.1.1:10053: listen EADDRNOTAVAIL 10.100.1.1:10053',
      'cannot sync the network rules: iptables-restore exited 4: Another app is currently holding the xtables lock.; retrying',
    ]);
    await net.syncNow(); // the DNS server still cannot listen: nothing new to say
    expect(log.warns).toHaveLength(2);
  });

  it('logs each unroutable node once, not on every sync', async () => {
    const host = fakeHost();
    const bad = { code: 2, stdout: '', stderr: 'Error: Nexthop has invalid gateway.\n' };
    const exec: Exec = async (argv, input) => (argv[2] === 'replace' ? bad : host.exec(argv, input));
    const { log, synced, net } = setup({ exec }, { services: [], endpoints: [], network: MAP });
    await net.syncNow();
    await net.syncNow();
    await net.syncNow();
    expect(synced).toHaveLength(3);
    expect(log.warns).toEqual([
      'cannot route 10.100.2.0/24 via 192.168.1.12: Error: Nexthop has invalid gateway. (host-gw needs the nodes on one network)',
      'cannot route 10.100.3.0/24 via 192.168.1.13: Error: Nexthop has invalid gateway. (host-gw needs the nodes on one network)',
    ]);
  });

  it('survives a network map with a pod subnet it cannot parse', async () => {
    const { host, log, synced, net, view } = setup({}, { services: [WEB], endpoints: [WEB_EPS], network: { ...MAP, nodes: [{ name: 'n1', podCIDR: '10.100.1.0/33', addresses: ['192.168.1.11'] }] } });
    await expect(net.syncNow()).resolves.toBeUndefined();
    expect(synced).toEqual([]);
    expect(log.warns).toEqual(['cannot sync the network rules: invalid CIDR "10.100.1.0/33"; retrying']);
    view.snap = { ...view.snap, network: MAP }; // the server fixes it: the retry succeeds
    await vi.waitFor(() => expect(synced).toHaveLength(1));
    expect(restores(host)[0]).toContain('--to-destination 10.100.1.1:10053');
  });

  it('stop closes the DNS server and ends the syncs', async () => {
    const { dns, synced, net } = setup({ debounceMs: 1 });
    await net.syncNow();
    await net.stop();
    expect(dns.close).toHaveBeenCalledTimes(1);
    net.update();
    await sleep(20);
    expect(synced).toHaveLength(1);
  });

  it('stop waits for a sync under way', async () => {
    const { host, dns, synced, net } = setup({ debounceMs: 1 });
    let open!: () => void;
    host.gate = new Promise<void>((r) => (open = r));
    net.update();
    await vi.waitFor(() => expect(host.calls.length).toBeGreaterThan(0));
    const stopped = net.stop();
    await sleep(5);
    expect(dns.close).not.toHaveBeenCalled();
    host.gate = undefined;
    open();
    await stopped;
    expect(synced).toHaveLength(1);
    expect(dns.close).toHaveBeenCalledTimes(1);
  });
});
