// main: simulated nodes as a command, for benchmarks and by hand.
//
//   node dist/test/sim/main.js --server https://127.0.0.1:6443 --token-file DATA_DIR/node-token \
//     --count 1000 --data-root /tmp/sim [--shards 4] [--prefix sim-] [--heartbeat-interval 1s]
//     [--status-interval 10s] [--concurrency 16] [--full-network-map] [--log-level warn]
//
// With --shards K it forks K processes, each running count/K of the nodes (sim-0 … sim-N-1 across
// them), so several cores can carry them. It prints one line when every node is up:
//   sim: ready: 1000 nodes in 41.2 s (4 shards)
// and stops every node cleanly on SIGTERM or SIGINT (each says "shutdown" to the server, as
// `bramble agent` does), then exits. A shard that dies takes the others down (exit 1).
//
// --data-root keeps each node's credentials (DATA_DIR/<node>): run again with the same root against
// the same server and the nodes come back without joining. It must not hold credentials from
// another server: they are refused and those nodes never come up.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../shared/options.js';
import { type SimNodes, startSimNodes } from './sim-nodes.js';

const USAGE = 'usage: main.js --server URL (--token-file F | --token T) --count N --data-root DIR [--shards K] [--prefix P] [--heartbeat-interval D] [--status-interval D] [--concurrency C] [--full-network-map] [--log-level L]';

const { values: args } = parseArgs({
  options: {
    server: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    count: { type: 'string' },
    'data-root': { type: 'string' },
    shards: { type: 'string', default: '1' },
    prefix: { type: 'string', default: 'sim-' },
    'heartbeat-interval': { type: 'string' },
    'status-interval': { type: 'string' },
    concurrency: { type: 'string' },
    'full-network-map': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    // set by the parent for a shard
    first: { type: 'string', default: '0' },
  },
});

/** ShardMessage: what a shard tells its parent. */
type ShardMessage = { type: 'ready'; nodes: number } | { type: 'failed'; message: string };

const count = Number(args.count);
const shards = Math.max(1, Number(args.shards));
if (!args.server || !(args.token || args['token-file']) || !args['data-root'] || !Number.isInteger(count) || count < 1 || !Number.isInteger(shards)) {
  console.error(USAGE);
  process.exit(2);
}
const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);

if (process.send || shards === 1) await runHere();
else runShards();

// runHere runs the nodes in this process: alone (one shard) or as a shard of a parent.
async function runHere(): Promise<void> {
  const sim: SimNodes = startSimNodes({
    server: args.server!,
    token: args.token,
    tokenFile: args['token-file'],
    count,
    first: Number(args.first),
    prefix: args.prefix,
    dataRoot: args['data-root']!,
    heartbeatMs: args['heartbeat-interval'] ? parseDuration(args['heartbeat-interval']) : undefined,
    statusMs: args['status-interval'] ? parseDuration(args['status-interval']) : undefined,
    concurrency: args.concurrency ? Number(args.concurrency) : undefined,
    fullNetworkMap: args['full-network-map'],
    logLevel: args['log-level'],
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await sim.stop();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.on('disconnect', () => void stop(0)); // the parent is gone
  try {
    await sim.ready();
  } catch (e) {
    const message = (e as Error).message;
    if (process.send) process.send({ type: 'failed', message } satisfies ShardMessage);
    else console.error(`sim: failed: ${message}`);
    return stop(1);
  }
  if (process.send) process.send({ type: 'ready', nodes: count } satisfies ShardMessage);
  else console.log(`sim: ready: ${count} nodes in ${seconds()} s`);
}

// runShards forks one process per shard and reports when all are ready.
function runShards(): void {
  const self = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = [];
  let ready = 0;
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
    if (alive.length === 0) process.exit(code);
    let left = alive.length;
    for (const c of alive) {
      c.once('exit', () => --left === 0 && process.exit(code));
      c.kill('SIGTERM');
    }
  };
  const shardArgs = (n: number, first: number) =>
    Object.entries({ ...args, count: String(n), first: String(first), shards: '1' }).flatMap(([k, v]) =>
      v === undefined || v === false ? [] : v === true ? [`--${k}`] : [`--${k}`, String(v)],
    );
  for (let k = 0, first = 0; k < shards; k++) {
    const n = Math.floor(count / shards) + (k < count % shards ? 1 : 0);
    const child = fork(self, shardArgs(n, first), { stdio: 'inherit' });
    first += n;
    children.push(child);
    child.on('message', (m: ShardMessage) => {
      if (m.type === 'failed') {
        console.error(`sim: shard ${k} failed: ${m.message}`);
        stopAll(1);
      } else if (++ready === shards) {
        console.log(`sim: ready: ${count} nodes in ${seconds()} s (${shards} shards)`);
      }
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`sim: shard ${k} exited (${signal ?? code})`);
      stopAll(1);
    });
  }
  process.on('SIGTERM', () => stopAll(0));
  process.on('SIGINT', () => stopAll(0));
}
