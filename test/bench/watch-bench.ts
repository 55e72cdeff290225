// watch-bench: watch fan-out. W watchers stream one namespace's ConfigMaps over HTTPS
// (newline-delimited JSON); E ConfigMaps are created one at a time, and each (watcher, event)
// pair is timed from the create request's start to its ADDED event arriving at that watcher.
import type { ClientRequest } from 'node:http';
import { Agent, request } from 'node:https';
import type { Api, ApiResponse } from '../lib/api.js';
import { percentile, rssMB } from './stats.js';

export interface WatchFanoutResult {
  watchers: number;
  events: number;
  /** delivered: (watcher, event) pairs that arrived; always watchers × events (else the bench throws). */
  delivered: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
  /** openSeconds: to open all the watches (W HTTPS connections, 50 at a time). */
  openSeconds: number;
  /** server RSS before the watches, with them open (idle), and with them open after the events. */
  rssBeforeMB: number;
  rssOpenMB: number;
  rssMB: number;
}

export interface WatchFanoutOptions {
  api: Api;
  /** pid: the server's, for its RSS. */
  pid: number;
  namespace: string;
  watchers: number;
  events: number;
  intervalMs?: number;
  timeoutMs?: number;
}

const OPEN_CONCURRENCY = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function mustOk(r: ApiResponse, what: string): ApiResponse {
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r;
}

export async function benchWatchFanout(o: WatchFanoutOptions): Promise<WatchFanoutResult> {
  const { api, namespace: ns, watchers: W, events: E } = o;
  const intervalMs = o.intervalMs ?? 100;
  const timeoutMs = o.timeoutMs ?? 30_000;
  mustOk(await api.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), 'POST /api/v1/namespaces');
  const listPath = `/api/v1/namespaces/${ns}/configmaps`;
  const rv = mustOk(await api.call('GET', listPath), `GET ${listPath}`).json().metadata.resourceVersion;
  const path = `${listPath}?watch=1&resourceVersion=${rv}`;

  const u = new URL(api.url);
  // One socket per watch: a stream holds its connection for as long as it is open.
  const agent = new Agent({ ca: api.ca, keepAlive: true, maxSockets: W, maxFreeSockets: W });
  const reqs: ClientRequest[] = [];
  const startedAt = new Map<string, { index: number; t0: number }>();
  const seen = new Uint8Array(W * E); // seen[w * E + e]: duplicates must not count twice
  const latencies: number[] = [];
  let delivered = 0;
  let closing = false;
  let failure: Error | undefined;
  let settle: { resolve(): void; reject(e: Error): void } | undefined;
  const fail = (e: Error) => {
    if (closing || failure) return;
    failure = e;
    settle?.reject(e);
  };

  const onLine = (w: number, line: string, at: number) => {
    const ev = JSON.parse(line) as { type: string; object?: any };
    if (ev.type === 'ERROR') return fail(new Error(`watch ${w} got an ERROR event: ${line}`));
    if (ev.type !== 'ADDED') return;
    const s = startedAt.get(ev.object?.metadata?.name);
    if (!s || seen[w * E + s.index]) return;
    seen[w * E + s.index] = 1;
    latencies.push(at - s.t0);
    if (++delivered === W * E) settle?.resolve();
  };

  const open = (w: number) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { host: u.hostname, port: Number(u.port), path, method: 'GET', agent, headers: { authorization: `Bearer ${api.token}`, accept: 'application/json' } },
        (res) => {
          if (res.statusCode !== 200) {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => reject(new Error(`GET ${path}: ${res.statusCode} ${body}`)));
            return;
          }
          // Headers go out once the server has registered the watch: from here no event is missed.
          resolve();
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const at = performance.now();
            buf += chunk;
            for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + 1);
              if (line.trim()) onLine(w, line, at);
            }
          });
          res.on('close', () => fail(new Error(`watch ${w} was closed by the server (${delivered} of ${W * E} events delivered)`)));
        },
      );
      req.on('error', (e) => {
        reject(e);
        fail(e);
      });
      req.end();
      reqs.push(req);
    });

  try {
    const rssBeforeMB = rssMB(o.pid);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(OPEN_CONCURRENCY, W) }, async () => {
        while (next < W) await open(next++);
      }),
    );
    const openSeconds = (performance.now() - t0) / 1000;
    await sleep(1000);
    if (failure) throw failure;
    const rssOpenMB = rssMB(o.pid);

    const all = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    all.catch(() => {}); // awaited below; a failure during the creates is thrown there
    for (let e = 0; e < E; e++) {
      const name = `watched-${e}`;
      const t = performance.now();
      startedAt.set(name, { index: e, t0: t });
      mustOk(
        await api.call('POST', listPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { index: String(e) } }),
        `POST ${listPath} (${name})`,
      );
      if (failure) throw failure;
      await sleep(Math.max(0, intervalMs - (performance.now() - t)));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`watch fan-out: only ${delivered} of ${W}×${E} = ${W * E} events delivered after ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const rss = rssMB(o.pid);
    latencies.sort((a, b) => a - b);
    return {
      watchers: W,
      events: E,
      delivered,
      p50ms: percentile(latencies, 50),
      p99ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1],
      openSeconds,
      rssBeforeMB,
      rssOpenMB,
      rssMB: rss,
    };
  } finally {
    closing = true;
    for (const r of reqs) r.destroy();
    agent.destroy();
  }
}
