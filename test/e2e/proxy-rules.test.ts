// proxy-rules: Bramble's kube-proxy rules on real iptables inside a lab node — a ClusterIP
// service balanced over two busybox web servers on the node's Docker, synced twice without
// duplicates, a removed service's chains gone, and cleanupRules leaving no BRAMBLE chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exec, cleanupRules, syncRules } from '../../agent/proxy/iptables.js';
import { computeRules } from '../../agent/proxy/rules.js';
import { HOOKS } from '../../agent/proxy/ruleset.js';
import type { Endpoints, Service } from '../../shared/api/service.js';
import { BUSYBOX_IMAGE, type Lab, type LabNode, startLab } from '../lab/lab.js';

const VIP = '10.43.0.100';

const service: Service = {
  apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web' },
  spec: { type: 'ClusterIP', clusterIP: VIP, ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] },
};

const endpointsFor = (ips: string[], node: string): Endpoints => ({
  apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'default', name: 'web' },
  subsets: [{ addresses: ips.map((ip) => ({ ip, nodeName: node })), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
});

// natDump is `iptables-save -t nat` without the timestamp comments and packet counters.
async function natDump(node: LabNode): Promise<string> {
  const out = await node.run(['iptables-save', '-t', 'nat']);
  return out.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '[0:0]')).join('\n');
}

describe('proxy rules in a lab node', () => {
  let lab: Lab;
  let node: LabNode;
  let exec: Exec;
  let backends: string[] = [];

  beforeAll(async () => {
    lab = await startLab({ nodes: 1, image: true, name: 'proxy' });
    node = lab.node(1);
    exec = (argv, input) => node.exec(argv, { input });
    for (const page of ['A', 'B']) {
      const run = await node.docker(['run', '-d', '--init', BUSYBOX_IMAGE, 'httpd', '-f', '-p', '80', '-h', '/www']);
      expect(run.code, run.stderr).toBe(0);
      const id = run.stdout.trim();
      const w = await node.docker(['exec', id, 'sh', '-c', `echo ${page} > /www/index.html`]);
      expect(w.code, w.stderr).toBe(0);
      backends.push((await node.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id])).stdout.trim());
    }
    backends = backends.sort();
    await node.run(['ip', 'route', 'add', '10.43.0.0/16', 'dev', 'eth0']); // LAB.md: the node needs a route to the service range
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const ruleSet = (services: Service[], ready = backends) =>
    computeRules({ services, endpoints: [endpointsFor(ready, node.name)], node: { name: node.name, addresses: [node.ip] }, clusterCidr: lab.clusterCidr });

  it('balances the cluster IP over both backends', async () => {
    expect(backends).toHaveLength(2);
    const first = await syncRules(ruleSet([service]), exec);
    expect(first.hooksInserted).toHaveLength(HOOKS.length);
    const pages: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await node.exec(['timeout', '3', 'busybox', 'wget', '-qO-', `http://${VIP}/`]);
      expect(r.code, `request ${i}: ${r.stderr}`).toBe(0);
      pages.push(r.stdout.trim());
    }
    expect(new Set(pages)).toEqual(new Set(['A', 'B']));
  });

  it('changes nothing when synced again, with or without the last state', async () => {
    const before = await natDump(node);
    const withState = await syncRules(ruleSet([service]), exec, (await syncRules(ruleSet([service]), exec)).state);
    expect(withState.written).toEqual([]);
    expect(withState.hooksInserted).toEqual([]);
    expect(await natDump(node)).toBe(before);
    for (const hook of ['-A PREROUTING -m comment --comment "bramble service portals" -j BRAMBLE-SERVICES', '-A OUTPUT -m comment --comment "bramble service portals" -j BRAMBLE-SERVICES', '-A POSTROUTING -m comment --comment "bramble postrouting rules" -j BRAMBLE-POSTROUTING']) {
      expect(before.split('\n').filter((l) => l === hook)).toHaveLength(1);
    }
  });

  it('refuses connections at once while the service has no ready endpoints', async () => {
    const r = await syncRules(ruleSet([service], []), exec);
    expect(r.written).toContain('filter/BRAMBLE-SERVICES');
    const t0 = Date.now();
    const refused = await node.exec(['timeout', '3', 'busybox', 'wget', '-qO-', `http://${VIP}/`]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/refused/i);
    expect(Date.now() - t0).toBeLessThan(2000);
    await syncRules(ruleSet([service]), exec);
    expect((await node.run(['timeout', '3', 'busybox', 'wget', '-qO-', `http://${VIP}/`])).trim()).toMatch(/^[AB]$/);
  });

  it('removes the chains of a deleted service', async () => {
    const before = await natDump(node);
    const ours = (dump: string) => [...dump.matchAll(/^:(BRAMBLE-(?:SVC|SEP)-\S+)/gm)].map((m) => m[1]);
    expect(ours(before)).toHaveLength(3); // one SVC, two SEP
    const r = await syncRules(ruleSet([]), exec);
    expect(r.deleted.sort()).toEqual(ours(before).map((c) => `nat/${c}`).sort());
    const after = await natDump(node);
    expect(ours(after)).toEqual([]);
    expect(after).not.toContain(VIP);
    const refused = await node.exec(['timeout', '3', 'busybox', 'wget', '-qO-', `http://${VIP}/`]);
    expect(refused.code).not.toBe(0);
  });

  it('leaves no BRAMBLE chain or jump after cleanupRules', async () => {
    await syncRules(ruleSet([service]), exec);
    const r = await cleanupRules(exec);
    expect(r.hooksRemoved).toBe(HOOKS.length);
    const all = await node.run(['iptables-save']);
    expect(all).not.toContain('BRAMBLE');
    expect(all).toContain('DOCKER'); // Docker's own rules untouched
    expect((await cleanupRules(exec)).deleted).toEqual([]);
  });
});
