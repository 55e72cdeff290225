import { describe, expect, it } from 'vitest';
import type { Exec } from '../proxy/iptables.js';
import { HostGwRoutes, parseRoutes, type Peer, wantedRoutes } from './host-gw.js';

// fakeIp keeps a routing table of Bramble's routes and records the commands.
function fakeIp(routes = new Map<string, string>(), unreachable = new Set<string>()) {
  const calls: string[] = [];
  const exec: Exec = async (argv) => {
    calls.push(argv.join(' '));
    if (argv[1] === '-4') return { code: 0, stdout: [...routes].map(([c, v]) => `${c} via ${v} dev eth0 proto 151 \n`).join(''), stderr: '' };
    if (argv[2] === 'replace') {
      if (unreachable.has(argv[5])) return { code: 2, stdout: '', stderr: 'Error: Nexthop has invalid gateway.\n' };
      routes.set(argv[3], argv[5]);
    }
    if (argv[2] === 'del') routes.delete(argv[3]);
    return { code: 0, stdout: '', stderr: '' };
  };
  return { exec, routes, calls };
}

const peers: Peer[] = [
  { name: 'n1', podCIDR: '10.42.0.0/24', addresses: ['10.201.0.11'] },
  { name: 'n2', podCIDR: '10.42.1.0/24', addresses: ['10.201.0.12', '192.0.2.2'] },
  { name: 'n3', podCIDR: '10.42.2.0/24', addresses: ['10.201.0.13'] },
  { name: 'n4', addresses: ['10.201.0.14'] }, // no subnet yet
  { name: 'n5', podCIDR: '10.42.4.0/24', addresses: [] }, // no address yet
];

describe('wantedRoutes', () => {
  it('routes every other node subnet via its first address, skipping itself and incomplete nodes', () => {
    expect([...wantedRoutes('n1', peers)]).toEqual([
      ['10.42.1.0/24', '10.201.0.12'],
      ['10.42.2.0/24', '10.201.0.13'],
    ]);
  });
});

describe('parseRoutes', () => {
  it('reads ip route output', () => {
    expect([...parseRoutes('10.42.1.0/24 via 10.201.0.12 dev eth0 proto 151 \n10.42.9.9 via 10.201.0.19 dev eth0\n')]).toEqual([
      ['10.42.1.0/24', '10.201.0.12'],
      ['10.42.9.9/32', '10.201.0.19'],
    ]);
  });
});

describe('HostGwRoutes', () => {
  it('adds, replaces and deletes only its own routes, and is idempotent', async () => {
    const f = fakeIp(new Map([['10.42.1.0/24', '10.201.0.99'], ['10.42.7.0/24', '10.201.0.17']]));
    const r = new HostGwRoutes(f.exec, 'n1');
    expect(await r.sync(peers)).toEqual({ added: ['10.42.1.0/24 via 10.201.0.12', '10.42.2.0/24 via 10.201.0.13'], deleted: ['10.42.7.0/24'], failed: [] });
    expect(f.calls.filter((c) => c.includes('replace'))[0]).toBe('ip route replace 10.42.1.0/24 via 10.201.0.12 proto 151');
    f.calls.length = 0;
    expect(await r.sync(peers)).toEqual({ added: [], deleted: [], failed: [] });
    expect(f.calls).toEqual(['ip -4 route show proto 151']);
    await r.cleanup();
    expect(f.routes.size).toBe(0);
  });

  it('reports a gateway it cannot route through instead of throwing', async () => {
    const f = fakeIp(new Map(), new Set(['10.201.0.13']));
    const res = await new HostGwRoutes(f.exec, 'n1').sync(peers);
    expect(res.failed).toEqual([{ route: '10.42.2.0/24 via 10.201.0.13', error: 'Error: Nexthop has invalid gateway.' }]);
    expect(res.added).toEqual(['10.42.1.0/24 via 10.201.0.12']);
  });
});
