// measure: what N simulated nodes cost the simulator and the server. Starts a `bramble server`
// child process and `main.js` (the simulator) as another, waits for every node to be up and
// Ready, lets them settle, then reads both from /proc over an idle window.
//
//   node dist/test/sim/measure.js --count 1000 [--shards 1] [--idle 60] [--heartbeat-interval 1s]
//     [--concurrency 16] [--full-network-map] [--cluster-cidr 10.64.0.0/11] [--verbose]
//
// Prints one JSON object: join/ready times, the simulator's RSS and CPU (all its processes),
// the server's RSS and CPU, and store commits during the idle window.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSeconds, rssMB } from '../bench/stats.js';
import { startServerProcess } from '../lib/server-process.js';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    shards: { type: 'string', default: '1' },
    idle: { type: 'string', default: '60' },
    settle: { type: 'string', default: '10' },
    'heartbeat-interval': { type: 'string' },
    concurrency: { type: 'string' },
    'full-network-map': { type: 'boolean', default: false },
    'ready-timeout': { type: 'string', default: '1800' },
    verbose: { type: 'boolean', default: false },
    // the server's default 10.42.0.0/16 has room for 256 nodes' /24s; more nodes need e.g. 10.64.0.0/11
    'cluster-cidr': { type: 'string' },
  },
});
const count = Number(args.count);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** tree: a process and its children (the simulator's shards). */
function tree(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {}
  return [pid, ...kids.flatMap(tree)];
}
const sum = (pids: number[], f: (pid: number) => number) => pids.reduce((a, p) => a + f(p), 0);

async function metric(api: { call(m: string, p: string): Promise<{ text: string }> }, name: string): Promise<number> {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec((await api.call('GET', '/metrics')).text);
  return m ? Number(m[1]) : Number.NaN;
}

async function readyNodes(api: { call(m: string, p: string): Promise<{ status: number; json(): any }> }): Promise<number> {
  const r = await api.call('GET', '/api/v1/nodes');
  if (r.status !== 200) return -1;
  return (r.json().items as any[]).filter((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
}

const dir = mkdtempSync(join(tmpdir(), 'bramble-sim-measure-'));
const server = await startServerProcess(join(dir, 'server'), { args: args['cluster-cidr'] ? ['--cluster-cidr', args['cluster-cidr']] : [] });
let sim: ChildProcess | undefined;
const out: Record<string, unknown> = { count, shards: Number(args.shards), heartbeat: args['heartbeat-interval'] ?? 'default (1s)', fullNetworkMap: args['full-network-map'] };
try {
  const serverPid = server.child.pid!;
  out.serverIdleRssMB = +rssMB(serverPid).toFixed(1);
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const simArgs = [main, '--server', `https://127.0.0.1:${server.port}`, '--token-file', join(server.dataDir, 'node-token'), '--count', String(count), '--shards', String(args.shards), '--data-root', join(dir, 'nodes')];
  if (args['heartbeat-interval']) simArgs.push('--heartbeat-interval', args['heartbeat-interval']);
  if (args.concurrency) simArgs.push('--concurrency', args.concurrency);
  if (args['full-network-map']) simArgs.push('--full-network-map');
  const t0 = performance.now();
  const cpu0 = cpuSeconds(serverPid);
  sim = spawn(process.execPath, simArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let simOut = '';
  let upAt: number | undefined;
  let partial = '';
  const warnings: Record<string, number> = {};
  out.simWarnings = warnings;
  const take = (d: Buffer) => {
    const text = partial + d.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      // pino lines from the agents: counted by message, digits masked (ports, node numbers)
      const msg = /"msg":"([^"]*)"/.exec(line)?.[1];
      if (msg) warnings[msg.replace(/\d+/g, 'N')] = (warnings[msg.replace(/\d+/g, 'N')] ?? 0) + 1;
      else simOut += `${line}\n`;
      if (upAt === undefined && /sim: ready/.test(line)) upAt = performance.now();
    }
    if (simOut.length > 100_000) simOut = simOut.slice(-20_000);
  };
  sim.stdout!.on('data', take);
  sim.stderr!.on('data', take);
  const simPid = sim.pid!;
  let peakSimRss = 0;
  let peakServerRss = 0;
  let readyAt: number | undefined;
  const progress: string[] = [];
  // A node list of 5,000 nodes is ≈ 15 MB of JSON: poll it less often the bigger it is.
  const pollMs = Math.max(1000, count);
  let lastProgress = -Infinity;
  for (;;) {
    const elapsed = (performance.now() - t0) / 1000;
    if (sim.exitCode !== null) throw new Error(`simulator exited (${sim.exitCode}): ${simOut.slice(-2000)}`);
    const simRss = sum(tree(simPid), rssMB);
    const serverRss = rssMB(serverPid);
    peakSimRss = Math.max(peakSimRss, simRss);
    peakServerRss = Math.max(peakServerRss, serverRss);
    const n = await readyNodes(server.api).catch(() => -1);
    if (elapsed - lastProgress >= 10) {
      lastProgress = elapsed;
      const line = `${elapsed.toFixed(0)}s: ${n} Ready, server ${serverRss.toFixed(0)} MB ${cpuSeconds(serverPid).toFixed(0)} cpu-s, sim ${simRss.toFixed(0)} MB`;
      progress.push(line);
      if (args.verbose) console.error(line);
    }
    if (n === count && upAt !== undefined) {
      readyAt = performance.now();
      break;
    }
    if (elapsed > Number(args['ready-timeout'])) {
      out.progress = progress;
      throw new Error(`only ${n}/${count} Ready after ${elapsed.toFixed(0)} s; sim: ${simOut.slice(-2000)}`);
    }
    await sleep(pollMs);
  }
  out.joinSeconds = +(((upAt ?? readyAt) - t0) / 1000).toFixed(1);
  out.allReadySeconds = +((readyAt - t0) / 1000).toFixed(1);
  out.progress = progress;
  out.serverCpuSecondsDuringJoins = +(cpuSeconds(serverPid) - cpu0).toFixed(1);
  out.peakSimRssMB = +peakSimRss.toFixed(0);
  out.peakServerRssMB = +peakServerRss.toFixed(0);

  await sleep(Number(args.settle) * 1000);
  const simPids = tree(simPid);
  const idle = Number(args.idle);
  const s0 = sum(simPids, cpuSeconds);
  const v0 = cpuSeconds(serverPid);
  const c0 = await metric(server.api, 'bramble_store_commits_total');
  // Nodes that stop being Ready while idle (missed heartbeats) show up as watch events.
  const rv = (await server.api.call('GET', '/api/v1/nodes?limit=1')).json().metadata.resourceVersion;
  const flapped = new Set<string>();
  const watch = server.api.stream(`/api/v1/nodes?watch=true&resourceVersion=${rv}`, (line) => {
    const o = JSON.parse(line).object;
    if (!o?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) flapped.add(o?.metadata?.name);
  });
  await sleep(idle * 1000);
  watch.close();
  out.nodesNotReadyDuringIdle = flapped.size;
  const simCpu = sum(simPids, cpuSeconds) - s0;
  const serverCpu = cpuSeconds(serverPid) - v0;
  const simRss = sum(simPids, rssMB);
  out.simRssMB = +simRss.toFixed(0);
  out.simRssPerNodeKB = +((simRss * 1024) / count).toFixed(0);
  out.simCpuPercent = +((100 * simCpu) / idle).toFixed(1);
  out.simCpuMsPerNodePerSecond = +((1000 * simCpu) / idle / count).toFixed(3);
  out.serverRssMB = +rssMB(serverPid).toFixed(0);
  out.serverCpuPercent = +((100 * serverCpu) / idle).toFixed(1);
  out.commitsPerMinute = +(((await metric(server.api, 'bramble_store_commits_total')) - c0) * (60 / idle)).toFixed(1);

  out.simWarningsBeforeStop = { ...warnings };
  const stopAt = performance.now();
  sim.kill('SIGTERM');
  await new Promise((r) => sim!.once('exit', r));
  out.stopSeconds = +((performance.now() - stopAt) / 1000).toFixed(1);
  for (let t = 0; t < 30; t++) {
    const n = await readyNodes(server.api);
    if (n === 0) break;
    await sleep(1000);
  }
  out.allNotReadySeconds = +((performance.now() - stopAt) / 1000).toFixed(1);
} catch (e) {
  out.error = (e as Error).message;
} finally {
  if (sim && sim.exitCode === null) {
    sim.kill('SIGKILL');
  }
  const serverOut = server.output();
  out.serverLogTail = serverOut.slice(-1500);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(out, null, 2));
