// api-bench: a `bramble server` child process on loopback. Its footprint (start time; RSS and CPU
// idle with no nodes, then with one simulated node joined), single-object latency at C concurrent
// clients (create, get, update, namespace list), commits per second (group commit at work), and
// watch fan-out (watch-bench.ts). The bench fails only on errors: any non-2xx response throws.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Api, type ApiResponse, apiFromKubeconfig } from '../lib/api.js';
import { startServerProcess } from '../lib/server-process.js';
import { startSimNodes } from '../sim/sim-nodes.js';
import { cpuSeconds, percentile, rssMB } from './stats.js';
import { benchWatchFanout, mustOk, type WatchFanoutResult } from './watch-bench.js';

export interface LatencyFigures {
  ops: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

export interface IdleFigures {
  rssMB: number;
  cpuPercent: number;
  /** seconds: the CPU window. */
  seconds: number;
}

export interface ApiBenchResult {
  clients: number;
  readyMs: number;
  idleNoNodes: IdleFigures;
  idleOneNode: IdleFigures & { joinMs: number; settleSeconds: number };
  create: LatencyFigures;
  get: LatencyFigures;
  update: LatencyFigures;
  list: LatencyFigures & { items: number };
  /** store commits during the create phase. */
  commits: number;
  commitsPerSecond: number;
  writesPerCommit: number;
  watch: WatchFanoutResult;
}

export interface ApiBenchOptions {
  /** clients: concurrent API clients (default 100). */
  clients?: number;
  /** ops: requests per operation, spread over the clients (default 3,000). */
  ops?: number;
  /** listSize: ConfigMaps in the listed namespace (default 100). */
  listSize?: number;
  /** idleSeconds: the CPU window of each idle sample (default 10). */
  idleSeconds?: number;
  /** settleSeconds: after the node is Ready, before the idle sample (default 5). */
  settleSeconds?: number;
  /** watchers / watchEvents: the watch fan-out (default 500 × 20). */
  watchers?: number;
  watchEvents?: number;
}

export interface BenchRow {
  scenario: string;
  figure: string;
  target: string;
  anchor: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metric(api: Api, name: string): Promise<number> {
  const text = mustOk(await api.call('GET', '/metrics'), 'GET /metrics').text;
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

async function call(api: Api, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return mustOk(await api.call(method, path, body), `${method} ${path}`);
}

async function idleSample(pid: number, seconds: number): Promise<IdleFigures> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpuPercent = ((cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
  return { rssMB: rssMB(pid), cpuPercent, seconds };
}

/** phase runs ops requests over `clients` concurrent clients; client c does ops c, c+clients, … */
async function phase(clients: number, ops: number, op: (i: number, client: number) => Promise<void>): Promise<LatencyFigures> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = c; i < ops; i += clients) {
        const t0 = performance.now();
        await op(i, c);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { ops, seconds, perSecond: ops / seconds, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99) };
}

const configMap = (name: string, i: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels: { bench: 'api' } },
  data: { index: String(i), payload: 'x'.repeat(256) },
});

async function waitNodeReady(api: Api, node: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await api.call('GET', `/api/v1/nodes/${node}`);
    if (r.status === 200 && r.json().status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) return;
    if (r.status !== 200 && r.status !== 404) mustOk(r, `GET /api/v1/nodes/${node}`);
    if (Date.now() > end) throw new Error(`node ${node} not Ready after ${timeoutMs / 1000} s: ${r.status} ${r.text}`);
    await sleep(100);
  }
}

export async function benchApi(opts: ApiBenchOptions = {}): Promise<ApiBenchResult> {
  const clients = opts.clients ?? 100;
  const ops = opts.ops ?? 3000;
  const listSize = opts.listSize ?? 100;
  const idleSeconds = opts.idleSeconds ?? 10;
  const settleSeconds = opts.settleSeconds ?? 5;
  const dir = mkdtempSync(join(tmpdir(), 'bramble-bench-api-'));
  const server = await startServerProcess(join(dir, 'server'));
  let sim: ReturnType<typeof startSimNodes> | undefined;
  try {
    const pid = server.child.pid!;
    // Idle with no nodes: settle first (start-up work, first GCs), then sample.
    await sleep(3000);
    const idleNoNodes = await idleSample(pid, idleSeconds);

    // Idle with one simulated node: a real agent (join, MQTT heartbeats, status) in this process.
    const joinStart = performance.now();
    sim = startSimNodes({ server: `https://127.0.0.1:${server.port}`, tokenFile: join(server.dataDir, 'node-token'), count: 1, dataRoot: join(dir, 'nodes') });
    await sim.ready(30_000);
    await waitNodeReady(server.api, sim.nodes[0], 30_000);
    const joinMs = performance.now() - joinStart;
    await sleep(settleSeconds * 1000);
    const idleOneNode = { ...(await idleSample(pid, idleSeconds)), joinMs, settleSeconds };
    // The agent shares this process's event loop with the clients: stopped so it cannot skew their timings.
    await sim.stop();
    sim = undefined;

    const api = apiFromKubeconfig(server.kubeconfig, { maxSockets: clients });
    for (const name of ['bench', 'bench-list']) await call(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const base = '/api/v1/namespaces/bench/configmaps';
    const listPath = '/api/v1/namespaces/bench-list/configmaps';
    // A namespace of its own for the list, so its size stays listSize while the others grow.
    for (let i = 0; i < listSize; i++) await call(api, 'POST', listPath, configMap(`listed-${i}`, i));

    // Warm-up: every client's connection open first, so no timed request pays a TLS handshake.
    await phase(clients, clients, async () => {
      await call(api, 'GET', '/api/v1/namespaces/bench');
    });

    // Create: client c owns the objects it creates (i ≡ c mod clients), for its updates later.
    const latest = new Map<string, any>();
    const owned: string[][] = Array.from({ length: clients }, () => []);
    const commits0 = await metric(api, 'bramble_store_commits_total');
    const create = await phase(clients, ops, async (i, c) => {
      const name = `bench-${i}`;
      latest.set(name, (await call(api, 'POST', base, configMap(name, i))).json());
      owned[c].push(name);
    });
    const commits = (await metric(api, 'bramble_store_commits_total')) - commits0;

    const get = await phase(clients, ops, async (i) => {
      await call(api, 'GET', `${base}/bench-${(i * 7919) % ops}`);
    });

    // Update: the full object back with its resourceVersion; only its owner writes it, so no 409s.
    const update = await phase(clients, ops, async (i, c) => {
      const mine = owned[c];
      const name = mine[Math.floor(i / clients) % mine.length];
      const o = latest.get(name);
      const body = { ...o, data: { ...o.data, index: `updated-${i}` } };
      latest.set(name, (await call(api, 'PUT', `${base}/${name}`, body)).json());
    });

    let items = -1;
    const list = await phase(clients, ops, async () => {
      const n = (await call(api, 'GET', listPath)).json().items.length;
      if (n !== listSize) throw new Error(`GET ${listPath}: ${n} items, expected ${listSize}`);
      items = n;
    });

    const watch = await benchWatchFanout({ api, pid, namespace: 'bench-watch', watchers: opts.watchers ?? 500, events: opts.watchEvents ?? 20 });

    return {
      clients,
      readyMs: server.readyMs,
      idleNoNodes,
      idleOneNode,
      create,
      get,
      update,
      list: { ...list, items },
      commits,
      commitsPerSecond: commits / create.seconds,
      writesPerCommit: ops / commits,
      watch,
    };
  } catch (e) {
    // A bare ECONNRESET says nothing: say whether the server died, and what it printed.
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${(e as Error).message}; the server exited (${server.child.exitCode ?? server.child.signalCode}): ${server.output().slice(-3000)}`);
    }
    throw e;
  } finally {
    await sim?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** apiRows: the benchmark table's rows for one result. */
export function apiRows(r: ApiBenchResult, fmt: (n: number, d?: number) => string): BenchRow[] {
  const c = r.clients;
  const slo = 'Kubernetes SLO p99 ≤ 1 s (single object), ≤ 30 s (list)';
  const lat = (f: LatencyFigures) => `p50 ${fmt(f.p50ms, 1)} ms, p99 ${fmt(f.p99ms, 1)} ms`;
  const w = r.watch;
  return [
    { scenario: `API create latency, ${c} clients`, figure: lat(r.create), target: 'p99 ≤ 50 ms', anchor: slo },
    { scenario: `API get latency, ${c} clients`, figure: lat(r.get), target: 'p99 ≤ 50 ms', anchor: slo },
    { scenario: `API update (PUT) latency, ${c} clients`, figure: lat(r.update), target: 'p99 ≤ 50 ms', anchor: slo },
    { scenario: `API namespace list latency (${r.list.items} objects), ${c} clients`, figure: lat(r.list), target: 'p99 ≤ 50 ms', anchor: slo },
    { scenario: `API creates per second, ${c} clients`, figure: `${fmt(r.create.perSecond)} /s`, target: '', anchor: '' },
    {
      scenario: 'store commits under that load',
      figure: `${fmt(r.commitsPerSecond)} commits/s, ${fmt(r.writesPerCommit, 1)} writes/commit`,
      target: 'writes/commit > 1 (group commit)',
      anchor: '',
    },
    {
      scenario: `watch fan-out, ${fmt(w.watchers)} watchers × ${w.events} creates: create → ADDED`,
      figure: `p50 ${fmt(w.p50ms, 1)} ms, p99 ${fmt(w.p99ms, 1)} ms (${fmt(w.delivered)} delivered)`,
      target: '',
      anchor: 'Kubernetes: watch latency SLO-like p99 ≤ 5 s (kube-apiserver watch)',
    },
    { scenario: `  … server RSS with ${fmt(w.watchers)} watches open`, figure: `${fmt(w.rssMB, 1)} MB (${fmt(w.rssBeforeMB, 1)} MB before)`, target: '', anchor: '' },
    {
      scenario: 'server idle, 1 simulated node joined',
      figure: `${fmt(r.idleOneNode.rssMB, 1)} MB RSS, ${fmt(r.idleOneNode.cpuPercent, 2)} % CPU`,
      target: '≤ 100 MB',
      anchor: 'k3s server ≈ 1.2 GB',
    },
    { scenario: 'server idle, no nodes', figure: `${fmt(r.idleNoNodes.rssMB, 1)} MB RSS, ${fmt(r.idleNoNodes.cpuPercent, 2)} % CPU`, target: '', anchor: '' },
    { scenario: 'server start → /readyz 200', figure: `${fmt(r.readyMs)} ms`, target: '< 2,000 ms', anchor: '' },
  ];
}
