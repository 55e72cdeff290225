import { describe, expect, it } from 'vitest';
import { cleanupRules, type Exec, syncRules } from './iptables.js';
import { computeRules } from './rules.js';
import { HOOKS } from './ruleset.js';
import type { Endpoints, Service } from '../../shared/api/service.js';

// fakeIptables keeps chain names per table and the hook rules, and records every call: enough
// to see which chains a sync declares, rewrites and deletes.
function fakeIptables(withDocker = true) {
  const chains = { nat: new Set<string>(), filter: new Set<string>(withDocker ? ['DOCKER-USER'] : []) };
  const hooks: string[] = [];
  const calls: { argv: string[]; input?: string }[] = [];
  const exec: Exec = async (argv, input) => {
    calls.push({ argv, input });
    const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
    if (argv[0] === 'iptables-save') {
      const tables = argv[2] ? [argv[2] as 'nat' | 'filter'] : (['nat', 'filter'] as const);
      return ok(tables.flatMap((t) => [`*${t}`, ...[...chains[t]].map((c) => `:${c} - [0:0]`), 'COMMIT']).join('\n'));
    }
    if (argv[0] === 'iptables-restore') {
      let table: 'nat' | 'filter' = 'nat';
      for (const l of input!.split('\n')) {
        if (l.startsWith('*')) table = l.slice(1) as 'nat' | 'filter';
        else if (l.startsWith(':')) chains[table].add(l.slice(1).split(' ')[0]);
        else if (l.startsWith('-X ')) chains[table].delete(l.slice(3));
      }
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
    if (op === '-D') hooks.splice(hooks.indexOf(rule), 1);
    return ok();
  };
  return { exec, chains, hooks, calls };
}

const svc = (name: string, ip: string): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });
const eps = (name: string, ips: string[]): Endpoints => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'default', name }, subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 80 }] }] });
const rules = (services: Service[], endpoints: Endpoints[]) => computeRules({ services, endpoints, node: { name: 'n1', addresses: ['10.0.0.1'] }, clusterCidr: '10.244.0.0/16' });
const restores = (calls: { argv: string[]; input?: string }[]) => calls.filter((c) => c.argv[0] === 'iptables-restore').map((c) => c.input!);

describe('syncRules', () => {
  it('writes every chain first, then only what changed, and inserts each hook once', async () => {
    const f = fakeIptables();
    const one = rules([svc('a', '10.43.0.1'), svc('b', '10.43.0.2')], [eps('a', ['10.244.1.2']), eps('b', ['10.244.1.3'])]);
    const first = await syncRules(one, f.exec);
    expect(first.written).toHaveLength(one.chains.length);
    expect(f.hooks).toHaveLength(HOOKS.length);

    const again = await syncRules(one, f.exec, first.state);
    expect(again.written).toEqual([]);
    expect(again.hooksInserted).toEqual([]);
    expect(f.hooks).toHaveLength(HOOKS.length);
    expect(restores(f.calls)).toHaveLength(1); // nothing to restore the second time

    // b gets a second endpoint: its SVC chain and the new SEP chain are written, a's are not
    const two = rules([svc('a', '10.43.0.1'), svc('b', '10.43.0.2')], [eps('a', ['10.244.1.2']), eps('b', ['10.244.1.3', '10.244.1.4'])]);
    const third = await syncRules(two, f.exec, again.state);
    expect(third.written).toHaveLength(2);
    const input = restores(f.calls).at(-1)!;
    expect(input).not.toContain(':BRAMBLE-SERVICES ');
    expect(input.match(/^:/gm)).toHaveLength(2);
  });

  it('deletes chains no longer wanted, flushing them first, and rewrites the chains that jumped to them', async () => {
    const f = fakeIptables();
    const s1 = await syncRules(rules([svc('a', '10.43.0.1')], [eps('a', ['10.244.1.2'])]), f.exec);
    const s2 = await syncRules(rules([], []), f.exec, s1.state);
    expect(s2.deleted).toHaveLength(2); // SVC + SEP
    expect(s2.written).toEqual(['nat/BRAMBLE-SERVICES']);
    const input = restores(f.calls).at(-1)!;
    for (const key of s2.deleted) {
      const name = key.split('/')[1];
      expect(input.indexOf(`:${name} - [0:0]`)).toBeLessThan(input.indexOf(`-X ${name}`));
    }
    expect([...f.chains.nat].filter((c) => /SVC|SEP/.test(c))).toEqual([]);
  });

  it('rewrites a chain that vanished even if the state says it is current', async () => {
    const f = fakeIptables();
    const rs = rules([svc('a', '10.43.0.1')], [eps('a', ['10.244.1.2'])]);
    const s1 = await syncRules(rs, f.exec);
    f.chains.nat.delete('BRAMBLE-MARK-MASQ');
    expect((await syncRules(rs, f.exec, s1.state)).written).toEqual(['nat/BRAMBLE-MARK-MASQ']);
  });

  it('creates DOCKER-USER, jumped to from FORWARD, when dockerd has not made it yet', async () => {
    const f = fakeIptables(false);
    await syncRules(rules([], []), f.exec);
    expect(f.chains.filter.has('DOCKER-USER')).toBe(true);
    expect(f.hooks).toContain('filter FORWARD -j DOCKER-USER');
    expect(f.hooks).toContain('filter DOCKER-USER -m comment --comment bramble pod network -j BRAMBLE-FORWARD');
  });

  it('throws when iptables-restore fails', async () => {
    const exec: Exec = async (argv) => (argv[0] === 'iptables-restore' ? { code: 2, stdout: '', stderr: 'line 3 failed' } : { code: 0, stdout: '', stderr: '' });
    await expect(syncRules(rules([], []), exec)).rejects.toThrow(/line 3 failed/);
  });
});

describe('cleanupRules', () => {
  it('removes every hook and BRAMBLE chain, and is idempotent', async () => {
    const f = fakeIptables();
    await syncRules(rules([svc('a', '10.43.0.1')], [eps('a', ['10.244.1.2'])]), f.exec);
    f.chains.nat.add('DOCKER');
    const r = await cleanupRules(f.exec);
    expect(r.hooksRemoved).toBe(HOOKS.length);
    expect(f.hooks).toEqual([]);
    expect([...f.chains.nat, ...f.chains.filter]).toEqual(['DOCKER', 'DOCKER-USER']);
    expect(await cleanupRules(f.exec)).toEqual({ deleted: [], hooksRemoved: 0 });
  });
});
