// teardown: stopping a benchmark's cluster — agents, server, then the lab — bounded, because a
// teardown that hangs (as the lab relay's did before it destroyed its open sockets at close, see
// test/lab/relay.ts) must not hang the benchmark. After ms it gives up: false, the cluster's folder
// is removed (agents and server are stopped by then) and the lab is left to its exit handler
// (run.ts then exits explicitly).
import { rmSync } from 'node:fs';
import type { Cluster } from '../lib/cluster.js';

export async function stopClusterBounded(c: Cluster, ms: number, say: (msg: string) => void): Promise<boolean> {
  for (const n of c.lab.nodes) await c.stopAgent(n).catch(() => {});
  await c.stopServer().catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    c.stop().then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), ms);
    }),
  ]);
  clearTimeout(timer);
  if (!done) {
    say(`the cluster's teardown hung; ${c.lab.name} is removed at exit`);
    rmSync(c.dir, { recursive: true, force: true });
  }
  return done;
}
