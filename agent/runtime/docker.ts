// docker: the ContainerRuntime that ships, on dockerode (loaded lean, see dockerode-lean.ts).
// Engine errors are rethrown with the engine's own message; "not found" on inspect/image becomes
// undefined, and stop/remove of a container that is already gone or stopped succeed.
import type Dockerode from 'dockerode';
import { Demuxer } from './demux.js';
import {
  containerIp,
  engineMessage,
  fromImageInspect,
  fromInspect,
  fromListEntry,
  splitImageRef,
  statusCode,
  toCreateOptions,
} from './docker-map.js';
import { connectDocker } from './dockerode-lean.js';
import { ensurePauseImage } from './pause-image.js';
import type {
  ContainerInfo,
  ContainerRuntime,
  ContainerSpec,
  ExecResult,
  ImageInfo,
  LogStreamOptions,
  PullProgress,
  RegistryAuth,
  RuntimeInfo,
} from './runtime.js';
import { LABELS } from './runtime.js';
import { checkSpec, joinedContainer } from './spec-rules.js';

/** EVENT_ACTIONS: the container events the agent acts on. */
export const EVENT_ACTIONS = ['start', 'die', 'oom', 'destroy'] as const;

export class DockerRuntime implements ContainerRuntime {
  readonly docker: Dockerode;
  private pauseRef?: Promise<string>;

  /** host: a DOCKER_HOST-style value (unix:///path, tcp://host:port) or a dockerode client. */
  constructor(host?: string | Dockerode) {
    this.docker = typeof host === 'object' ? host : connectDocker(host);
  }

  async info(): Promise<RuntimeInfo> {
    const [info, version] = await Promise.all([this.docker.info(), this.docker.version()]);
    return {
      name: 'docker',
      version: version.Version,
      os: info.OSType,
      architecture: info.Architecture,
      kernelVersion: info.KernelVersion,
      operatingSystem: info.OperatingSystem,
      cgroupVersion: info.CgroupVersion,
    };
  }

  async list(): Promise<ContainerInfo[]> {
    const all = await this.docker.listContainers({ all: true, filters: { label: [LABELS.podUid] } });
    return all.map(fromListEntry);
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    const c = await this.rawInspect(id);
    if (!c) return undefined;
    const joined = joinedContainer({ network: c.HostConfig.NetworkMode ?? '' });
    // A container in another's namespace has no address of its own: report the pod's.
    const owner = joined ? await this.rawInspect(joined) : undefined;
    return fromInspect(c, owner ? containerIp(owner) : undefined);
  }

  private async rawInspect(id: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
    try {
      return await this.docker.getContainer(id).inspect();
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw engineError(`inspect ${id}`, err);
    }
  }

  async create(spec: ContainerSpec): Promise<string> {
    checkSpec(spec);
    try {
      const c = await this.docker.createContainer(toCreateOptions(spec));
      return c.id;
    } catch (err) {
      throw engineError(`create ${spec.name}`, err);
    }
  }

  async start(id: string): Promise<void> {
    await this.call(`start ${id}`, () => this.docker.getContainer(id).start(), [304]);
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    const t = Math.max(0, Math.ceil(graceSeconds));
    await this.call(`stop ${id}`, () => this.docker.getContainer(id).stop({ t }), [304, 404]);
  }

  async remove(id: string): Promise<void> {
    // 409: a removal already in progress.
    await this.call(`remove ${id}`, () => this.docker.getContainer(id).remove({ force: true, v: true }), [404, 409]);
  }

  async image(ref: string): Promise<ImageInfo | undefined> {
    try {
      return fromImageInspect(await this.docker.getImage(ref).inspect());
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw engineError(`inspect image ${ref}`, err);
    }
  }

  async pull(ref: string, auth: RegistryAuth | undefined, onProgress?: (p: PullProgress) => void): Promise<void> {
    const { repository, tag } = splitImageRef(ref);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.createImage(auth ?? '', { fromImage: repository, tag });
    } catch (err) {
      throw engineError(`pull ${ref}`, err);
    }
    await new Promise<void>((resolve, reject) => {
      let failure: string | undefined;
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => {
          if (err || failure) reject(new Error(`pull ${ref}: ${failure ?? engineMessage(err)}`));
          else resolve();
        },
        (p: { status?: string; progress?: string; id?: string; error?: string }) => {
          if (p.error) failure ??= p.error;
          else if (p.status) onProgress?.({ status: p.status, detail: [p.id, p.progress].filter(Boolean).join(' ') || undefined });
        },
      );
    });
  }

  async exec(id: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    const exec = await this.call(`exec in ${id}`, () =>
      this.docker.getContainer(id).exec({ Cmd: command, AttachStdout: true, AttachStderr: true }),
    );
    const stream = (await this.call(`exec in ${id}`, () => exec.start({ hijack: true, stdin: false }))) as NodeJS.ReadableStream &
      NodeJS.EventEmitter & { destroy(): void };
    const demux = new Demuxer();
    const out: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      for (const f of demux.push(chunk)) out.push(f.payload);
    });
    const finished = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        resolve(false);
      }, timeoutMs);
      const done = (err?: Error) => {
        clearTimeout(timer);
        if (err) reject(engineError(`exec in ${id}`, err));
        else resolve(true);
      };
      stream.on('end', () => done());
      stream.on('close', () => done());
      stream.on('error', done);
    });
    const output = Buffer.concat(out).toString();
    if (!finished) return { exitCode: -1, output, timedOut: true };
    // The stream can end a moment before the engine records the exit code.
    let result = await exec.inspect();
    for (let i = 0; i < 20 && result.Running; i++) {
      await new Promise((r) => setTimeout(r, 25));
      result = await exec.inspect();
    }
    return { exitCode: result.ExitCode ?? -1, output };
  }

  async *logs(id: string, opts: LogStreamOptions, signal: AbortSignal): AsyncIterable<Buffer> {
    if (signal.aborted) return;
    const options = Object.fromEntries(
      Object.entries({ stdout: true, stderr: true, follow: opts.follow, tail: opts.tail, timestamps: opts.timestamps, since: opts.since }).filter(
        ([, v]) => v !== undefined,
      ),
    );
    const body = await this.call(`logs of ${id}`, () =>
      this.docker.getContainer(id).logs({ ...options, abortSignal: signal } as Dockerode.ContainerLogsOptions & { follow: true }),
    );
    const demux = new Demuxer();
    if (Buffer.isBuffer(body)) {
      for (const f of demux.push(body)) yield f.payload;
      return;
    }
    const stream = body as NodeJS.ReadableStream & { destroy(): void };
    const onAbort = () => stream.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of stream) {
        for (const f of demux.push(chunk as Buffer)) yield f.payload;
      }
    } catch (err) {
      if (!signal.aborted) throw engineError(`logs of ${id}`, err);
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.destroy();
    }
  }

  async ensureNetwork(name: string, subnet?: string, gateway?: string): Promise<string> {
    const existing = await this.networkSubnets(name);
    if (existing && subnet && !existing.includes(subnet) && (await this.unused(name))) {
      // The node was given another pod subnet (deleted and joined again): nothing runs on the
      // old bridge, so it is replaced rather than leaving the node unable to start pods.
      await this.docker.getNetwork(name).remove().catch((err) => {
        throw engineError(`remove network ${name}`, err);
      });
    } else if (existing) return checkSubnet(name, existing, subnet);
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: subnet ? { Driver: 'default', Config: [{ Subnet: subnet, ...(gateway ? { Gateway: gateway } : {}) }] } : undefined,
        // With a pod subnet the agent masquerades pod traffic itself, only what leaves the
        // cluster: Docker's rule would also rewrite the source of traffic to other nodes' pods.
        Options: subnet ? { 'com.docker.network.bridge.enable_ip_masquerade': 'false' } : undefined,
        Labels: { 'io.bramble.network': 'pods' },
      });
      return name;
    } catch (err) {
      // 409: created meanwhile by someone else; check it is the one we want.
      const raced = statusCode(err) === 409 ? await this.networkSubnets(name) : undefined;
      if (raced) return checkSubnet(name, raced, subnet);
      throw engineError(`create network ${name}`, err);
    }
  }

  private async unused(name: string): Promise<boolean> {
    const n = await this.docker.getNetwork(name).inspect();
    return Object.keys(n.Containers ?? {}).length === 0;
  }

  private async networkSubnets(name: string): Promise<string[] | undefined> {
    try {
      const n = await this.docker.getNetwork(name).inspect();
      return ((n.IPAM?.Config ?? []) as { Subnet?: string }[]).map((c) => c.Subnet ?? '').filter(Boolean);
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw engineError(`inspect network ${name}`, err);
    }
  }

  async ensurePauseImage(): Promise<string> {
    this.pauseRef ??= this.info().then((i) => ensurePauseImage(this.docker, i.architecture));
    try {
      return await this.pauseRef;
    } catch (err) {
      this.pauseRef = undefined;
      throw engineError('pause image', err);
    }
  }

  async events(onEvent: (e: { id: string; action: string }) => void, signal: AbortSignal): Promise<void> {
    const filters = { type: ['container'], label: [LABELS.podUid], event: [...EVENT_ACTIONS] };
    const stream = (await this.call('events', () => this.docker.getEvents({ filters, abortSignal: signal } as Dockerode.GetEventsOptions))) as NodeJS.ReadableStream & {
      destroy(): void;
    };
    const onAbort = () => stream.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    let pending = '';
    try {
      for await (const chunk of stream) {
        pending += chunk.toString();
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          nl = pending.indexOf('\n');
          if (!line) continue;
          const e = JSON.parse(line) as { id?: string; Action?: string; status?: string; Actor?: { ID?: string } };
          const id = e.Actor?.ID ?? e.id;
          const action = e.Action ?? e.status;
          if (id && action) onEvent({ id, action });
        }
      }
    } catch (err) {
      if (!signal.aborted) throw engineError('events: the engine closed the event stream', err);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (!signal.aborted) throw new Error('events: the engine closed the event stream');
  }

  /** call runs an engine call, treating the listed HTTP statuses as success. */
  private async call<T>(what: string, fn: () => Promise<T>, okStatuses: number[] = []): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = statusCode(err);
      if (code !== undefined && okStatuses.includes(code)) return undefined as T;
      throw engineError(what, err);
    }
  }
}

function checkSubnet(name: string, existing: string[], want: string | undefined): string {
  if (want && !existing.includes(want)) {
    throw new Error(`network ${name} exists with subnet ${existing.join(', ') || 'none'}, not ${want}`);
  }
  return name;
}

/** engineError wraps an engine failure as "<what>: <engine's message>", keeping the HTTP status. */
export function engineError(what: string, err: unknown): Error {
  if (err instanceof Error && err.message.startsWith(`${what}: `)) return err;
  const wrapped = new Error(`${what}: ${engineMessage(err)}`, { cause: err }) as Error & { statusCode?: number };
  wrapped.statusCode = statusCode(err);
  return wrapped;
}
