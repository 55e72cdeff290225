// agent-bench: one real node (lab namespace + Docker engine + `bramble agent`): apply → Running
// for N pods with the image present, the agent's RSS with those pods, and how often the database
// commits while the cluster is idle (SD-card wear).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LabNode } from '../lab/lab.js';
import { type Cluster, startCluster } from '../lib/cluster.js';
import { percentile, rssMB } from './stats.js';

export interface AgentBenchResult {
  pods: number;
  allRunningSeconds: number;
  p50s: number;
  p99s: number;
  agentRssMB: number;
  idleCommitsPerMinute: number;
  idleWindowSeconds: number;
  /** dockerAloneSeconds: the same engine, 2×pods bare `docker run -d` in parallel (a pod is 2 containers). */
  dockerAloneSeconds: number;
}

async function metric(c: Cluster, name: string): Promise<number> {
  const text = (await c.server.api.call('GET', '/metrics')).text;
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

// dockerAlone is the engine's own speed, the floor under apply → Running: n containers of the
// same image started at once with the docker CLI, timed until the last one is up.
async function dockerAlone(node: LabNode, n: number): Promise<number> {
  const t0 = performance.now();
  const runs = Array.from({ length: n }, (_, i) => node.docker(['run', '-d', '--name', `bare-${i}`, '--label', 'bench=bare', 'local/busybox:1', 'httpd', '-f', '-p', '80', '-h', '/www'], { timeoutMs: 300_000 }));
  const results = await Promise.all(runs);
  const seconds = (performance.now() - t0) / 1000;
  const failed = results.filter((r) => r.code !== 0);
  const ids = (await node.docker(['ps', '-aq', '--filter', 'label=bench=bare'])).stdout.trim().split('\n').filter(Boolean);
  if (ids.length) await node.docker(['rm', '-f', ...ids], { timeoutMs: 120_000 });
  if (failed.length) throw new Error(`bare docker run failed: ${failed[0].stderr}`);
  return seconds;
}

// shippedEnvironment is the Environment= of the agent's systemd unit (V8 and allocator settings),
// so the bench measures the agent as installed.
export function shippedEnvironment(): Record<string, string> {
  const unit = readFileSync(fileURLToPath(new URL('../../../install/systemd/bramble-agent.service', import.meta.url)), 'utf8');
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment=(?:"([^"]*)"|(\S+))$/gm)) {
    const kv = m[1] ?? m[2];
    const i = kv.indexOf('=');
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

export async function benchAgent(opts: { pods: number; idleSeconds: number }): Promise<AgentBenchResult> {
  const c = await startCluster({ nodes: 1 });
  try {
    const node = c.lab.node(1);
    const agent = await c.startAgent(node, [], shippedEnvironment());
    const api = c.server.api;
    const deadline = Date.now() + 60_000;
    while (!(await api.call('GET', `/api/v1/nodes/${node.name}`)).json().status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')) {
      if (Date.now() > deadline) throw new Error(`node never became Ready:\n${c.agentLog(node)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Idle first: a joined, Ready node and nothing to do.
    await new Promise((r) => setTimeout(r, 5000));
    const c0 = await metric(c, 'bramble_store_commits_total');
    await new Promise((r) => setTimeout(r, opts.idleSeconds * 1000));
    const idleCommitsPerMinute = ((await metric(c, 'bramble_store_commits_total')) - c0) * (60 / opts.idleSeconds);

    const runningAt = new Map<string, number>();
    const watch = api.stream('/api/v1/namespaces/default/pods?watch=true', (line) => {
      const { object: p } = JSON.parse(line);
      if (p.status?.phase === 'Running' && p.status.containerStatuses?.every((s: any) => s.ready) && !runningAt.has(p.metadata.name)) {
        runningAt.set(p.metadata.name, performance.now());
      }
    });
    const t0 = performance.now();
    const r = await api.call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bench' },
      spec: {
        replicas: opts.pods,
        selector: { matchLabels: { app: 'bench' } },
        template: {
          metadata: { labels: { app: 'bench' } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: 'local/busybox:1', command: ['httpd', '-f', '-p', '80', '-h', '/www'] }] },
        },
      },
    });
    if (r.status !== 201) throw new Error(r.text);
    const end = Date.now() + 180_000;
    while (runningAt.size < opts.pods) {
      if (Date.now() > end) throw new Error(`only ${runningAt.size}/${opts.pods} pods Running`);
      await new Promise((res) => setTimeout(res, 100));
    }
    watch.close();
    const times = [...runningAt.values()].map((t) => (t - t0) / 1000).sort((a, b) => a - b);
    await new Promise((res) => setTimeout(res, 3000));
    const agentRssMB = rssMB(agent.pid!);
    await api.call('DELETE', '/apis/apps/v1/namespaces/default/deployments/bench?propagationPolicy=Foreground');
    for (const gone = Date.now() + 120_000; Date.now() < gone; await new Promise((res) => setTimeout(res, 500))) {
      if (!(await node.docker(['ps', '-aq', '--filter', 'label=io.bramble.pod.uid'])).stdout.trim()) break;
    }
    const dockerAloneSeconds = await dockerAlone(node, opts.pods * 2);
    return {
      pods: opts.pods,
      allRunningSeconds: times[times.length - 1],
      p50s: percentile(times, 50),
      p99s: percentile(times, 99),
      agentRssMB,
      idleCommitsPerMinute,
      idleWindowSeconds: opts.idleSeconds,
      dockerAloneSeconds,
    };
  } finally {
    await c.stop();
  }
}
