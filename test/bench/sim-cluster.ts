// sim-cluster: a `bramble server` child process with N simulated nodes in another child process
// (dist/test/sim/main.js), for the scale benchmarks. Both are children so that the benchmark's
// own CPU (clients, polling, JSON parsing) shows in neither the server's nor the simulator's
// figures; /proc gives each one's CPU, RSS and I/O.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Api } from '../lib/api.js';
import { type ServerProcess, startServerProcess } from '../lib/server-process.js';
import { rssMB } from './stats.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** within: whether p settles within ms (its timer cleared, so it cannot hold the process open). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface SimClusterOptions {
  /** name: for the temporary folder and messages. */
  name: string;
  nodes: number;
  /** shards: simulator processes (main.js --shards). */
  shards?: number;
  serverArgs?: string[];
  /** heartbeatInterval: the simulated agents' --heartbeat-interval (default: the agent's, 1 s). */
  heartbeatInterval?: string;
  /** readyTimeoutS: spawn of the simulator → every node Ready. */
  readyTimeoutS: number;
  /** log: progress lines every 30 s while joining (long runs). */
  log?: (msg: string) => void;
}

export interface SimCluster {
  server: ServerProcess;
  serverPid: number;
  sim: ChildProcess;
  /** simPids: the simulator and its shards. */
  simPids(): number[];
  dir: string;
  /** joinSeconds: spawn → "sim: ready" (every node joined and connected); readySeconds: → every Node Ready. */
  joinSeconds: number;
  readySeconds: number;
  /** peak RSS of the server and of the simulator (all shards) while the nodes joined, sampled at each poll */
  joinPeakServerMB: number;
  joinPeakSimMB: number;
  /** simWarnings: the agents' log lines, counted by message (digits masked). */
  simWarnings: Record<string, number>;
  simTail(): string;
  /** state: whether the server and simulator are still up, with their output's tail, for error messages. */
  state(): string;
  stop(): Promise<void>;
}

/** metric reads one unlabelled sample from the server's /metrics. */
export async function metric(api: Api, name: string): Promise<number> {
  const text = (await api.call('GET', '/metrics')).text;
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** procTree: a process and its descendants (the simulator's shards). */
export function procTree(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {}
  return [pid, ...kids.flatMap(procTree)];
}

/** treeRssMB: the RSS of a process and its descendants. */
export function treeRssMB(pid: number): number {
  let total = 0;
  for (const p of procTree(pid)) {
    try {
      total += rssMB(p);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** procIo: bytes a process made the kernel write to storage (write_bytes) and passed to write() (wchar). */
export function procIo(pid: number): { writeBytes: number; wchar: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(io)?.[1] ?? Number.NaN);
  return { writeBytes: field('write_bytes'), wchar: field('wchar') };
}

/** dbFiles: the sizes of the store's files — state.db, and its WAL (which grows up to a checkpoint, then is reused). */
export function dbFiles(dataDir: string): { db: number; wal: number } {
  const size = (f: string) => {
    try {
      return statSync(join(dataDir, f)).size;
    } catch {
      return 0;
    }
  };
  return { db: size('state.db'), wal: size('state.db-wal') };
}

const isReady = (n: any) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

export async function readyNodes(api: Api): Promise<number> {
  const r = await api.call('GET', '/api/v1/nodes');
  if (r.status !== 200) throw new Error(`list nodes: ${r.status} ${r.text.slice(0, 200)}`);
  return (r.json().items as any[]).filter(isReady).length;
}

/** RssSampler: a process's RSS every second — peak and mean. */
export class RssSampler {
  peakMB = 0;
  private sum = 0;
  private n = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }
  sample(): void {
    try {
      const mb = rssMB(this.pid);
      this.peakMB = Math.max(this.peakMB, mb);
      this.sum += mb;
      this.n++;
    } catch {
      // the process is gone
    }
  }
  get meanMB(): number {
    return this.n ? this.sum / this.n : Number.NaN;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

export async function startSimCluster(o: SimClusterOptions): Promise<SimCluster> {
  const dir = mkdtempSync(join(tmpdir(), `bramble-bench-${o.name}-`));
  let server: ServerProcess | undefined;
  let sim: ChildProcess | undefined;
  let tail = '';
  const simWarnings: Record<string, number> = {};
  const stop = async () => {
    if (sim && sim.exitCode === null && sim.signalCode === null) {
      const exited = new Promise((r) => sim!.once('exit', r));
      sim.kill('SIGTERM');
      // Thousands of nodes each say goodbye; past a minute something is stuck.
      if (!(await within(exited, 60_000))) {
        for (const pid of procTree(sim.pid!).reverse()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {}
        }
        await exited;
      }
    }
    if (server) {
      const s = server;
      if (!(await within(s.stop(), 30_000))) await s.stop('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    server = await startServerProcess(join(dir, 'server'), { args: o.serverArgs ?? [] });
    const main = fileURLToPath(new URL('../sim/main.js', import.meta.url));
    const args = [main, '--server', `https://127.0.0.1:${server.port}`, '--token-file', join(server.dataDir, 'node-token'), '--count', String(o.nodes), '--data-root', join(dir, 'nodes'), '--shards', String(o.shards ?? 1)];
    if (o.heartbeatInterval) args.push('--heartbeat-interval', o.heartbeatInterval);
    const t0 = performance.now();
    sim = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let upAt: number | undefined;
    let partial = '';
    const take = (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const msg = /"msg":"([^"]*)"/.exec(line)?.[1]?.replace(/\d+/g, 'N');
        if (msg) simWarnings[msg] = (simWarnings[msg] ?? 0) + 1;
        tail = (tail + line + '\n').slice(-4000);
        if (upAt === undefined && /sim: ready/.test(line)) upAt = performance.now();
      }
    };
    sim.stdout!.on('data', take);
    sim.stderr!.on('data', take);
    // A list of 5,000 nodes is ≈ 15 MB of JSON: poll it less often the more nodes there are.
    const pollMs = Math.min(5000, Math.max(250, o.nodes));
    let n = 0;
    let lastLog = 0;
    let peakServer = 0;
    let peakSim = 0;
    for (;;) {
      const elapsed = (performance.now() - t0) / 1000;
      if (server.child.exitCode !== null || server.child.signalCode !== null) {
        throw new Error(`server exited (${server.child.exitCode ?? server.child.signalCode}) with ${n}/${o.nodes} nodes Ready: ${server.output().slice(-1500)}`);
      }
      peakServer = Math.max(peakServer, rssMB(server.child.pid!));
      peakSim = Math.max(peakSim, treeRssMB(sim.pid!));
      if (sim.exitCode !== null) throw new Error(`simulator exited (${sim.exitCode}) with ${n}/${o.nodes} nodes Ready: ${tail.slice(-1500)}`);
      n = await readyNodes(server.api).catch(() => n);
      if (n === o.nodes && upAt !== undefined) break;
      if (elapsed > o.readyTimeoutS) {
        throw new Error(`${o.name}: only ${n}/${o.nodes} nodes Ready after ${elapsed.toFixed(0)} s (simulator ${upAt ? 'ready' : 'not ready'}); sim: ${tail.slice(-1500)}; server: ${server.output().slice(-1500)}`);
      }
      if (o.log && elapsed - lastLog >= 30) {
        lastLog = elapsed;
        o.log(`${elapsed.toFixed(0)} s: ${n}/${o.nodes} nodes Ready, server RSS ${rssMB(server.child.pid!).toFixed(0)} MB`);
      }
      await sleep(pollMs);
    }
    const readyAt = performance.now();
    const simPid = sim.pid!;
    return {
      server,
      serverPid: server.child.pid!,
      sim,
      simPids: () => procTree(simPid),
      dir,
      joinSeconds: ((upAt ?? readyAt) - t0) / 1000,
      readySeconds: (readyAt - t0) / 1000,
      joinPeakServerMB: peakServer,
      joinPeakSimMB: peakSim,
      simWarnings,
      simTail: () => tail,
      state: () => {
        const srv = server!.child;
        // The whole server output, kept: the folder goes at stop().
        const logFile = join(tmpdir(), `bramble-bench-${o.name}-server-${Date.now()}.log`);
        writeFileSync(logFile, server!.output());
        const up = (p: ChildProcess) => (p.exitCode === null && p.signalCode === null ? 'running' : `exited (${p.exitCode ?? p.signalCode})`);
        return `server ${up(srv)}, RSS ${treeRssMB(srv.pid!).toFixed(0)} MB, output (all of it in ${logFile}): ${server!.output().slice(-2000)}; simulator ${up(sim!)}: ${tail.slice(-1000)}`;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
