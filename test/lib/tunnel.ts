// tunnel: makes the server, listening on the root namespace's loopback, reachable as
// 127.0.0.1:<port> from inside a lab node's network namespace — through a unix socket, so the
// root namespace gains no link, route or rule. One forwarder pair per port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, 'forward.mjs');

function start(args: string[], prefix: string[] = []): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const [cmd, ...rest] = prefix.length ? prefix : [process.execPath];
    const child = spawn(cmd, [...rest, ...(prefix.length ? [process.execPath] : []), SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`forwarder exited with ${code}`)));
  });
}

export interface Tunnel {
  stop(): void;
}

/** tunnelInto carries 127.0.0.1:port of the root namespace to 127.0.0.1:port inside netns. */
export async function tunnelInto(netns: string, ports: number[]): Promise<Tunnel> {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-tunnel-'));
  const children: ChildProcess[] = [];
  for (const port of ports) {
    const sock = join(dir, `${port}.sock`);
    children.push(await start([`unix:${sock}`, `tcp:127.0.0.1:${port}`]));
    children.push(await start([`tcp:127.0.0.1:${port}`, `unix:${sock}`], ['nsenter', `--net=/run/netns/${netns}`]));
  }
  return {
    stop() {
      for (const c of children) c.kill('SIGTERM');
    },
  };
}
