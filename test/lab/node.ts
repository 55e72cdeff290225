// node: one simulated Pi — a network namespace with the lab address, pinned mount and UTS
// namespaces (hostname = node name) and its own Docker engine.
import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import { Engine, type EngineOptions } from './engine.js';
import type { LabNames, NodeNames } from './names.js';
import { loss, setLink, shape } from './network.js';
import { nsenterArgs } from './pin.js';
import { type ExecOptions, type ExecResult, exec, run, sh, sleep } from './proc.js';

export interface SpawnInNodeOptions {
  env?: Record<string, string>; // added to the test process's environment
  cwd?: string;
  stdio?: StdioOptions; // default: pipes
}

export interface LabNode extends Readonly<NodeNames> {
  readonly dockerHost: string; // unix://<dockerSocket>, for DOCKER_HOST or dockerode
  readonly engine: Engine; // pid, log file, running
  // exec runs a command in the node's namespaces; it never throws on a non-zero exit.
  exec(cmd: string[], opts?: ExecOptions): Promise<ExecResult>;
  // run is exec that returns stdout and throws unless the exit code is 0.
  run(cmd: string[], opts?: ExecOptions): Promise<string>;
  // spawn starts a long-running command in the node (an agent, say); the lab kills it at stop.
  spawn(cmd: string[], opts?: SpawnInNodeOptions): ChildProcess;
  // docker runs the docker CLI against this node's engine.
  docker(args: string[], opts?: ExecOptions): Promise<ExecResult>;
  startEngine(): Promise<void>;
  // stopEngine: SIGTERM stops containers (unless live-restore); SIGKILL is a crash.
  stopEngine(signal?: NodeJS.Signals): Promise<void>;
  // addRoute adds (or replaces) a route in the node; reconnect() puts it back.
  addRoute(cidr: string, via: string): Promise<void>;
  // disconnect pulls the node's cable (its bridge-side veth goes down); reconnect plugs it in.
  disconnect(): Promise<void>;
  reconnect(): Promise<void>;
  // shape applies netem to eth0, e.g. "delay 50ms 100ms"; null removes it. Throws where the
  // kernel has no netem (as on the machine this was written on).
  shape(netem: string | null): Promise<void>;
  // loss drops a share (0–1) of the node's packets in both directions; null ends it.
  loss(probability: number | null): Promise<void>;
}

// ManagedNode is the lab's own view of a node: kill() is part of Lab.stop().
export type ManagedNode = LabNode & { kill(): Promise<void> };

// createNode wraps a planned node; afterEngineStart runs after every engine start (rules that
// dockerd would otherwise override).
export function createNode(lab: LabNames, names: NodeNames, engineOpts: EngineOptions, afterEngineStart: () => Promise<void>): ManagedNode {
  const engine = new Engine(names, engineOpts);
  const children = new Set<ChildProcess>();
  const routes = new Map<string, string>([['default', lab.gatewayIp]]);
  const restoreRoutes = () => sh([...routes].map(([cidr, via]) => `ip -n ${names.netns} route replace ${cidr} via ${via}`).join('\n'));
  const node = {
    ...names,
    dockerHost: `unix://${names.dockerSocket}`,
    engine,
    exec: (cmd: string[], opts?: ExecOptions) => exec([...nsenterArgs(names, opts?.cwd), ...cmd], { ...opts, cwd: undefined }),
    run: (cmd: string[], opts?: ExecOptions) => run([...nsenterArgs(names, opts?.cwd), ...cmd], { ...opts, cwd: undefined }),
    spawn(cmd: string[], opts: SpawnInNodeOptions = {}) {
      const argv = [...nsenterArgs(names, opts.cwd), ...cmd];
      const child = spawn(argv[0], argv.slice(1), { detached: true, env: { ...process.env, ...opts.env }, stdio: opts.stdio ?? 'pipe' });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    docker: (args: string[], opts?: ExecOptions) => exec(['docker', '-H', `unix://${names.dockerSocket}`, ...args], opts),
    async startEngine() {
      await engine.start();
      await afterEngineStart();
    },
    stopEngine: (signal: NodeJS.Signals = 'SIGTERM') => engine.stop(signal),
    async addRoute(cidr: string, via: string) {
      routes.set(cidr, via);
      await sh(`ip -n ${names.netns} route replace ${cidr} via ${via}`);
    },
    disconnect: () => setLink(lab, names, 'down'),
    async reconnect() {
      await setLink(lab, names, 'up');
      await restoreRoutes();
    },
    shape: (netem: string | null) => shape(names, netem),
    loss: (probability: number | null) => loss(names, probability),
    // kill ends the node's spawned commands (SIGTERM, SIGKILL after 2 s) and removes its
    // containers, then stops its engine; the lab's teardown sweeps up whatever remains.
    async kill() {
      await Promise.all(
        [...children].map(async (c) => {
          c.kill('SIGTERM');
          for (let i = 0; i < 40 && c.exitCode === null && c.signalCode === null; i++) await sleep(50);
          c.kill('SIGKILL');
        }),
      );
      if (engine.running) {
        const ids = await node.docker(['ps', '-aq'], { timeoutMs: 5_000 });
        const list = ids.stdout.split('\n').filter(Boolean);
        if (list.length > 0) await node.docker(['rm', '-f', ...list], { timeoutMs: 15_000 });
        await engine.stop('SIGTERM', 5_000);
      }
    },
  };
  return node;
}
