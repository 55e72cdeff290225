// engine: one dockerd per node, started with nsenter inside the node's pinned namespaces, with
// its own data-root, exec-root, pidfile and socket in the node's folder. Stopped by PID.
//
// Engine states: stopped → starting → running → stopping → stopped. A crash (SIGKILL) goes
// running → stopped directly; containerd dies with dockerd, container shims survive, and an
// engine with live-restore picks them up again on the next start.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { NodeNames } from './names.js';
import { nsenterArgs } from './pin.js';
import { pidAlive, sleep } from './proc.js';

export interface EngineOptions {
  liveRestore?: boolean;
  extraArgs?: string[]; // more dockerd flags
  startTimeoutMs?: number; // default 30 s
}

export class Engine {
  #child: ChildProcess | undefined;
  #spawnFailed = false;
  #exited: Promise<void> = Promise.resolve();
  readonly log: string;

  constructor(
    readonly node: NodeNames,
    readonly opts: EngineOptions = {},
  ) {
    this.log = join(node.dir, 'dockerd.log');
  }

  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  get running(): boolean {
    const c = this.#child;
    return c !== undefined && !this.#spawnFailed && c.exitCode === null && c.signalCode === null;
  }

  args(): string[] {
    const n = this.node;
    return [
      'dockerd',
      ...['--data-root', join(n.dir, 'data'), '--exec-root', join(n.dir, 'exec'), '--pidfile', join(n.dir, 'docker.pid')],
      ...['-H', `unix://${n.dockerSocket}`, '--bip', `${n.podGateway}/24`, '--cgroup-parent', n.cgroupParent],
      ...['--iptables=true', '--userland-proxy=false', '--shutdown-timeout', '2'],
      ...(this.opts.liveRestore ? ['--live-restore'] : []),
      ...(this.opts.extraArgs ?? []),
    ];
  }

  // start launches dockerd and resolves once it answers /_ping.
  async start(): Promise<void> {
    if (this.running) throw new Error(`engine of ${this.node.name} is already running (pid ${this.#child!.pid})`);
    await this.#exited; // the old process must be reaped, else dockerd stops at "pid file found"
    await this.#forgetDeadContainerd();
    const argv = [...nsenterArgs(this.node), ...this.args()];
    const logFd = openSync(this.log, 'a');
    // its own process group: a Ctrl-C in the terminal reaches only the test process, which
    // then tears the lab down in order
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    child.unref();
    this.#child = child;
    this.#spawnFailed = false;
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => {
        this.#spawnFailed = true;
        resolve();
      });
    });
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 30_000);
    while (!(await ping(this.node.dockerSocket))) {
      if (!this.running) throw new Error(`dockerd of ${this.node.name} exited during start:\n${this.logTail()}`);
      if (Date.now() > deadline) throw new Error(`dockerd of ${this.node.name} not ready:\n${this.logTail()}`);
      await sleep(20);
    }
  }

  // stop sends the signal and waits until dockerd has exited; SIGKILL follows after timeoutMs.
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return this.#exited;
    const containerd = this.#containerdPid();
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.#exited;
    clearTimeout(timer);
    // After a crash containerd follows dockerd (parent-death signal) a moment later.
    for (let i = 0; containerd && i < 100 && (await pidAlive(containerd)); i++) await sleep(20);
  }

  #containerdPid(): number | undefined {
    try {
      return Number(readFileSync(join(this.node.dir, 'exec', 'containerd', 'containerd.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  // A containerd that died with a crashed dockerd may stay a zombie for a while (the host's
  // init reaps slowly); dockerd would take the zombie for a live containerd and wait for its
  // socket in vain, so its pid file goes.
  async #forgetDeadContainerd(): Promise<void> {
    const pid = this.#containerdPid();
    if (pid && !(await pidAlive(pid))) rmSync(join(this.node.dir, 'exec', 'containerd', 'containerd.pid'), { force: true });
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

// ping is true when the engine behind the socket answers GET /_ping with 200.
export function ping(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
