// api-bench: create latency with concurrent clients against a `bramble server` child process,
// commits per second (group commit at work), and the server's idle memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../lib/server-process.js';
import { cpuSeconds, percentile, rssMB } from './stats.js';

export interface ApiBenchResult {
  clients: number;
  creates: number;
  seconds: number;
  createsPerSecond: number;
  p50ms: number;
  p99ms: number;
  commits: number;
  commitsPerSecond: number;
  writesPerCommit: number;
  idleRssMB: number;
  readyMs: number;
  idleCpuPercent: number;
}

async function metric(api: { call: (m: string, p: string) => Promise<{ text: string }> }, name: string): Promise<number> {
  const text = (await api.call('GET', '/metrics')).text;
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

export async function benchApi(opts: { clients: number; creates: number }): Promise<ApiBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-bench-api-'));
  const server = await startServerProcess(dir);
  try {
    const pid = server.child.pid!;
    // Idle figures first: settle, collect garbage pressure, then sample.
    await new Promise((r) => setTimeout(r, 3000));
    const idleRssMB = rssMB(pid);
    const cpu0 = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 5000));
    const idleCpuPercent = ((cpuSeconds(pid) - cpu0) / 5) * 100;

    const commits0 = await metric(server.api, 'bramble_store_commits_total');
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const client = async () => {
      while (next < opts.creates) {
        const i = next++;
        const t0 = performance.now();
        const r = await server.api.call('POST', '/api/v1/namespaces/default/configmaps', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `bench-${i}`, labels: { bench: 'api' } },
          data: { index: String(i), payload: 'x'.repeat(256) },
        });
        if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: opts.clients }, client));
    const seconds = (performance.now() - started) / 1000;
    const commits = (await metric(server.api, 'bramble_store_commits_total')) - commits0;
    latencies.sort((a, b) => a - b);
    return {
      clients: opts.clients,
      creates: opts.creates,
      seconds,
      createsPerSecond: opts.creates / seconds,
      p50ms: percentile(latencies, 50),
      p99ms: percentile(latencies, 99),
      commits,
      commitsPerSecond: commits / seconds,
      writesPerCommit: opts.creates / commits,
      idleRssMB,
      readyMs: server.readyMs,
      idleCpuPercent,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
