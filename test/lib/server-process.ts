// server-process: runs `bramble server` as a child process from the compiled dist/, the way a
// user runs it, on free loopback ports.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Api, apiFromKubeconfig } from './api.js';

// ROOT is the repository (the nearest folder with package.json), from test/lib or dist/test/lib.
export const ROOT = findRoot(import.meta.dirname);

function findRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
/** BIN is the installed entry point (`bramble`), which runs the bundled agent for `bramble agent`. */
export const BIN = join(ROOT, 'bin', 'bramble.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  mqttPort: number;
  dataDir: string;
  api: Api;
  kubeconfig: string;
  readyMs: number;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startServerProcess(
  dataDir: string,
  opts: { port?: number; mqttPort?: number; args?: string[]; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const mqttPort = opts.mqttPort ?? (await freePort());
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--data-dir', dataDir, '--https-port', String(port), '--mqtt-port', String(mqttPort), '--bind-address', '127.0.0.1', '--no-agent', ...(opts.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BRAMBLE_LOG_LEVEL: 'warn', ...opts.env } },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}): ${out}`);
    if (await readyz(port)) break;
    if (Date.now() > deadline) throw new Error(`server not ready: ${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const readyMs = performance.now() - started;
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  return {
    child,
    port,
    mqttPort,
    dataDir,
    kubeconfig,
    api: apiFromKubeconfig(kubeconfig),
    readyMs,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

async function readyz(port: number): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
