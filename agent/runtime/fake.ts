// fake: an in-memory ContainerRuntime for fast tests and for simulating thousands of nodes. It
// refuses what Docker refuses (same spec rules, similar messages), runs a container's command
// through fake-script.ts (echo / sleep / exit; other programs run until stopped), and lets a test
// act as the world: crash(), write(), setExec(), setEngineDown(). Time comes from a TimerClock.
//
// Container states: created → running → exited → (start again) running; remove from any state.
// A stop sends "SIGTERM": with init (or an image that handles it) the process exits at once with
// 143 (or the image's code); otherwise it is PID 1 and ignores it, and is killed (137) after grace.
import { createHash } from 'node:crypto';
import { type TimerClock, realTimers } from './fake-clock.js';
import { FakeNetwork } from './fake-network.js';
import { type ScriptIO, run } from './fake-script.js';
import { pauseArch, pauseImageRef } from './pause-image.js';
import {
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerState,
  type ExecResult,
  type ImageInfo,
  LABELS,
  type LogStreamOptions,
  type PullProgress,
  type RegistryAuth,
  type RuntimeInfo,
} from './runtime.js';
import { checkSpec, joinedContainer } from './spec-rules.js';

export type ExecHandler = (command: string[], container: ContainerInfo) => ExecResult | Promise<ExecResult>;

export interface FakeImageOptions {
  architecture?: string;
  os?: string;
  variant?: string;
  entrypoint?: string[];
  cmd?: string[];
  /** exec answers every exec in this image's containers (e.g. probes), unless setExec overrides it. */
  exec?: ExecHandler;
  /** sigtermExitCode: the program handles SIGTERM and exits with this code, even as PID 1. */
  sigtermExitCode?: number;
}

export interface RemoteImageOptions extends FakeImageOptions {
  /** auth: the credentials the registry wants for this image. */
  auth?: { username: string; password: string };
}

export interface FakeRuntimeOptions {
  clock?: TimerClock;
  /** architecture: the machine name info() reports (x86_64, aarch64, armv7l). */
  architecture?: string;
  /** seed: makes container ids differ between simulated nodes. */
  seed?: string;
  /** maxLogBytes: log bytes kept per container (oldest dropped first); default 64 KiB. */
  maxLogBytes?: number;
}

interface Image extends FakeImageOptions {
  id: string;
  ref: string;
}

interface LogEntry {
  time: number;
  data: Buffer;
}

interface Container {
  id: string;
  spec: ContainerSpec;
  image: Image;
  state: ContainerState;
  ip?: string;
  network?: FakeNetwork;
  logs: LogEntry[];
  logsDropped: number;
  logBytes: number;
  /** wake: log followers and stop callers waiting for output or an exit. */
  wake: (() => void)[];
  /** run: bumped at each start and exit, so a script of an earlier run stops acting. */
  run: number;
  timers: Set<() => void>;
  exec?: ExecHandler;
}

type Listener = { onEvent: (e: { id: string; action: string }) => void; fail: (err: Error) => void };

const GO_ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm', armv6l: 'arm' };

/** normalizeRef: "busybox" and "docker.io/library/busybox:latest" name the same image. */
export function normalizeRef(ref: string): string {
  const short = ref.replace(/^(docker\.io|index\.docker\.io)\/(library\/)?/, '');
  return short.includes('@') || short.lastIndexOf(':') > short.lastIndexOf('/') ? short : `${short}:latest`;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export class FakeRuntime implements ContainerRuntime {
  readonly clock: TimerClock;
  readonly architecture: string;
  /** pulls: every ref pulled, in order (for tests to assert on). */
  readonly pulls: string[] = [];
  private readonly seed: string;
  private readonly maxLogBytes: number;
  private images = new Map<string, Image>();
  private remote = new Map<string, Image & { auth?: RemoteImageOptions['auth'] }>();
  private containers = new Map<string, Container>();
  private names = new Map<string, Container>();
  private networks = new Map<string, FakeNetwork>();
  private listeners = new Set<Listener>();
  private seq = 0;
  private down = false;

  constructor(opts: FakeRuntimeOptions = {}) {
    this.clock = opts.clock ?? realTimers;
    this.architecture = opts.architecture ?? 'x86_64';
    this.seed = opts.seed ?? 'fake';
    this.maxLogBytes = opts.maxLogBytes ?? 64 * 1024;
    this.networks.set('bridge', new FakeNetwork('bridge', '172.17.0.0/16', '172.17.0.1', false));
  }

  // ---- the world, for tests ----

  addImage(ref: string, opts: FakeImageOptions = {}): void {
    const r = normalizeRef(ref);
    const architecture = opts.architecture ?? GO_ARCH[this.architecture] ?? this.architecture;
    this.images.set(r, { ...opts, architecture, os: opts.os ?? 'linux', ref: r, id: `sha256:${sha(`${r}/${architecture}`)}` });
  }

  /** addRemoteImage puts an image in the (one, fake) registry that pull() reaches. */
  addRemoteImage(ref: string, opts: RemoteImageOptions = {}): void {
    const r = normalizeRef(ref);
    const architecture = opts.architecture ?? GO_ARCH[this.architecture] ?? this.architecture;
    this.remote.set(r, { ...opts, architecture, os: opts.os ?? 'linux', ref: r, id: `sha256:${sha(`${r}/${architecture}`)}` });
  }

  /** crash ends a running container's process as if it died by itself. */
  crash(id: string, exitCode: number, opts: { oom?: boolean } = {}): void {
    const c = this.must(id);
    if (c.state.status === 'running') this.exit(c, exitCode, opts.oom ?? false);
  }

  /** write adds output to a container's log, as if its process printed it. */
  write(id: string, text: string): void {
    this.appendLog(this.must(id), text);
  }

  /** setExec decides what execs in one container return (e.g. a failing liveness probe). */
  setExec(id: string, handler: ExecHandler | undefined): void {
    this.must(id).exec = handler;
  }

  /** setEngineDown makes every call fail as if the engine's socket were gone; event streams end. */
  setEngineDown(down: boolean): void {
    this.down = down;
    if (down) for (const l of this.listeners) l.fail(new Error(`events: the engine closed the event stream: ${this.downError().message}`));
  }

  // ---- ContainerRuntime ----

  async info(): Promise<RuntimeInfo> {
    this.up();
    return {
      name: 'fake',
      version: '0.0.0',
      os: 'linux',
      architecture: this.architecture,
      kernelVersion: '6.1.0-fake',
      operatingSystem: 'Fake Linux',
      cgroupVersion: '2',
    };
  }

  async list(): Promise<ContainerInfo[]> {
    this.up();
    const out: ContainerInfo[] = [];
    for (const c of this.containers.values()) if (c.spec.labels[LABELS.podUid] !== undefined) out.push(this.view(c, false));
    return out;
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    this.up();
    const c = this.find(id);
    return c && this.view(c, true);
  }

  async create(spec: ContainerSpec): Promise<string> {
    this.up();
    checkSpec(spec);
    const taken = this.names.get(spec.name);
    if (taken) {
      throw new Error(`create ${spec.name}: Conflict. The container name "/${spec.name}" is already in use by container "${taken.id}"`);
    }
    const image = this.images.get(normalizeRef(spec.image));
    if (!image) throw new Error(`create ${spec.name}: No such image: ${spec.image}`);
    const joined = joinedContainer(spec);
    if (joined !== undefined && !this.find(joined)) throw new Error(`create ${spec.name}: No such container: ${joined}`);
    if (joined === undefined && !['host', 'none'].includes(spec.network)) {
      const net = this.networks.get(spec.network);
      if (!net) throw new Error(`create ${spec.name}: network ${spec.network} not found`);
      if (spec.ipAddress && !net.userDefined) {
        throw new Error(`create ${spec.name}: user specified IP address is supported on user defined networks only`);
      }
    }
    if (argvOf(spec, image).length === 0) throw new Error(`create ${spec.name}: No command specified`);
    const id = sha(`${this.seed}/${++this.seq}`);
    const c: Container = {
      id,
      spec: structuredClone(spec),
      image,
      state: { status: 'created' },
      logs: [],
      logsDropped: 0,
      logBytes: 0,
      wake: [],
      run: 0,
      timers: new Set(),
    };
    this.containers.set(id, c);
    this.names.set(spec.name, c);
    return id;
  }

  async start(id: string): Promise<void> {
    this.up();
    const c = this.must(id);
    if (c.state.status === 'running') return;
    const joined = joinedContainer(c.spec);
    if (joined !== undefined && this.find(joined)?.state.status !== 'running') {
      throw new Error(`start ${id}: cannot join network of a non running container: ${joined}`);
    }
    const net = joined === undefined ? this.networks.get(c.spec.network) : undefined;
    if (net) {
      c.ip = net.allocate(c.spec.ipAddress);
      c.network = net;
    }
    c.state = { status: 'running', startedAt: this.iso() };
    const runId = ++c.run;
    this.emit(c, 'start');
    void run(argvOf(c.spec, c.image), this.io(c, runId), 'runs').then((outcome) => {
      if (c.run === runId && 'exitCode' in outcome) this.exit(c, outcome.exitCode, false);
    });
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    this.up();
    const c = this.find(id);
    if (!c || c.state.status !== 'running') return;
    const handled = c.spec.init ? 143 : c.image.sigtermExitCode;
    if (graceSeconds <= 0) {
      this.exit(c, 137, false);
    } else if (handled !== undefined) {
      this.exit(c, handled, false);
    } else {
      const cancel = this.clock.setTimeout(() => this.exit(c, 137, false), graceSeconds * 1000);
      c.timers.add(cancel);
    }
    while (c.state.status === 'running' && this.containers.has(c.id)) await new Promise<void>((resolve) => c.wake.push(resolve));
  }

  async remove(id: string): Promise<void> {
    this.up();
    const c = this.find(id);
    if (!c) return;
    if (c.state.status === 'running') this.exit(c, 137, false);
    this.containers.delete(c.id);
    this.names.delete(c.spec.name);
    this.emit(c, 'destroy');
    this.wakeAll(c);
  }

  async image(ref: string): Promise<ImageInfo | undefined> {
    this.up();
    const i = this.images.get(normalizeRef(ref));
    return i && { id: i.id, os: i.os, architecture: i.architecture, ...(i.variant ? { variant: i.variant } : {}) };
  }

  async pull(ref: string, auth: RegistryAuth | undefined, onProgress?: (p: PullProgress) => void): Promise<void> {
    this.up();
    this.pulls.push(ref);
    const r = normalizeRef(ref);
    const found = this.remote.get(r);
    const repo = r.replace(/[:@][^:@/]*$/, '');
    if (!found || (found.auth && (auth?.username !== found.auth.username || auth?.password !== found.auth.password))) {
      const repoKnown = [...this.remote.keys()].some((k) => k.replace(/[:@][^:@/]*$/, '') === repo);
      throw new Error(
        repoKnown && !found
          ? `pull ${ref}: manifest for ${r} not found: manifest unknown: manifest unknown`
          : `pull ${ref}: pull access denied for ${repo}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      );
    }
    onProgress?.({ status: `Pulling from ${repo}` });
    onProgress?.({ status: 'Download complete', detail: found.id.slice(7, 19) });
    this.images.set(r, { ...found });
    onProgress?.({ status: `Status: Downloaded newer image for ${r}` });
  }

  async exec(id: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    this.up();
    const c = this.must(id);
    if (c.state.status !== 'running') throw new Error(`exec in ${id}: Container ${id} is not running`);
    const handler = c.exec ?? c.image.exec;
    let output = '';
    const io: ScriptIO = {
      write: (_s, text) => {
        output += text;
      },
      sleep: (ms) => new Promise((resolve) => this.clock.setTimeout(resolve, ms)),
    };
    const work = handler
      ? Promise.resolve(handler(command, this.view(c, true)))
      : run(command, io, 'succeeds').then((o) => ({ exitCode: 'exitCode' in o ? o.exitCode : 0, output }));
    let cancel = () => {};
    const timeout = new Promise<ExecResult>((resolve) => {
      cancel = this.clock.setTimeout(() => resolve({ exitCode: -1, output, timedOut: true }), timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      cancel();
    }
  }

  async *logs(id: string, opts: LogStreamOptions, signal: AbortSignal): AsyncIterable<Buffer> {
    this.up();
    const c = this.must(id);
    let next = opts.tail === undefined ? c.logsDropped : Math.max(c.logsDropped, c.logsDropped + c.logs.length - opts.tail);
    let wakeMe: (() => void) | undefined;
    const onAbort = () => wakeMe?.();
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        for (next = Math.max(next, c.logsDropped); next < c.logsDropped + c.logs.length; next++) {
          const entry = c.logs[next - c.logsDropped];
          if (opts.since !== undefined && entry.time < opts.since * 1000) continue;
          yield opts.timestamps ? Buffer.concat([Buffer.from(`${new Date(entry.time).toISOString()} `), entry.data]) : entry.data;
        }
        if (!opts.follow || signal.aborted || c.state.status !== 'running' || !this.containers.has(c.id)) return;
        await new Promise<void>((resolve) => {
          wakeMe = resolve;
          c.wake.push(resolve);
        });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async ensureNetwork(name: string, subnet?: string, gateway?: string): Promise<string> {
    this.up();
    const existing = this.networks.get(name);
    if (existing && subnet && existing.subnet !== subnet && !existing.inUse) {
      this.networks.delete(name); // as Docker: an unused bridge on another subnet is replaced
    } else if (existing) {
      if (subnet && existing.subnet !== subnet) throw new Error(`network ${name} exists with subnet ${existing.subnet}, not ${subnet}`);
      return name;
    }
    // Docker picks a free private range when none is given; the fake takes the next 172.x/16.
    const chosen = subnet ?? `172.${18 + this.networks.size}.0.0/16`;
    this.networks.set(name, new FakeNetwork(name, chosen, gateway));
    return name;
  }

  async ensurePauseImage(): Promise<string> {
    this.up();
    const ref = pauseImageRef(pauseArch(this.architecture));
    if (!this.images.has(ref)) this.addImage(ref, { cmd: ['/pause'] });
    return ref;
  }

  async events(onEvent: (e: { id: string; action: string }) => void, signal: AbortSignal): Promise<void> {
    this.up();
    if (signal.aborted) return;
    await new Promise<void>((resolve, reject) => {
      const listener: Listener = {
        onEvent,
        fail: (err) => {
          this.listeners.delete(listener);
          reject(err);
        },
      };
      this.listeners.add(listener);
      signal.addEventListener(
        'abort',
        () => {
          this.listeners.delete(listener);
          resolve();
        },
        { once: true },
      );
    });
  }

  // ---- inside ----

  private exit(c: Container, exitCode: number, oom: boolean): void {
    if (c.state.status !== 'running') return;
    c.run++;
    for (const cancel of c.timers) cancel();
    c.timers.clear();
    if (c.ip) c.network?.release(c.ip);
    c.ip = undefined;
    c.network = undefined;
    c.state = { status: 'exited', startedAt: c.state.startedAt, finishedAt: this.iso(), exitCode, ...(oom ? { oomKilled: true } : {}) };
    if (oom) this.emit(c, 'oom');
    this.emit(c, 'die');
    this.wakeAll(c);
  }

  private io(c: Container, runId: number): ScriptIO {
    return {
      write: (_stream, text) => {
        if (c.run === runId) this.appendLog(c, text);
      },
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          const cancel = this.clock.setTimeout(() => {
            c.timers.delete(cancel);
            resolve();
          }, ms);
          c.timers.add(cancel);
        }),
    };
  }

  private appendLog(c: Container, text: string): void {
    const data = Buffer.from(text);
    c.logs.push({ time: this.clock.now(), data });
    c.logBytes += data.length;
    while (c.logBytes > this.maxLogBytes && c.logs.length > 1) {
      c.logBytes -= (c.logs.shift() as LogEntry).data.length;
      c.logsDropped++;
    }
    this.wakeAll(c);
  }

  private wakeAll(c: Container): void {
    const waiting = c.wake;
    c.wake = [];
    for (const w of waiting) w();
  }

  private emit(c: Container, action: string): void {
    if (c.spec.labels[LABELS.podUid] === undefined) return;
    for (const l of this.listeners) l.onEvent({ id: c.id, action });
  }

  private view(c: Container, resolveJoined: boolean): ContainerInfo {
    const joined = joinedContainer(c.spec);
    const ip = joined !== undefined ? (resolveJoined ? this.find(joined)?.ip : undefined) : c.ip;
    return {
      id: c.id,
      name: c.spec.name,
      image: c.spec.image,
      imageId: c.image.id,
      labels: { ...c.spec.labels },
      state: { ...c.state },
      ...(ip ? { ip } : {}),
    };
  }

  private find(idOrName: string): Container | undefined {
    return this.containers.get(idOrName) ?? this.names.get(idOrName);
  }

  private must(id: string): Container {
    const c = this.find(id);
    if (!c) throw new Error(`No such container: ${id}`);
    return c;
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private up(): void {
    if (this.down) throw this.downError();
  }

  private downError(): Error {
    return new Error('connect ENOENT /var/run/docker.sock (fake engine is down)');
  }
}

/** argvOf: Kubernetes semantics, as docker-map.ts gives Docker (command replaces entrypoint and cmd). */
function argvOf(spec: ContainerSpec, image: Image): string[] {
  if (spec.command) return [...spec.command, ...(spec.args ?? [])];
  return [...(image.entrypoint ?? []), ...(spec.args ?? image.cmd ?? [])];
}
