// runtime-monitor: is the container engine answering? Probed every few seconds while it is down
// and every status interval while it is up. A failure is one readable line, logged once per
// distinct cause (not once per probe, and never a stack trace): an agent installed before Docker
// must say so plainly, then keep waiting for it.
import type { ContainerRuntime } from './runtime/runtime.js';
import type { RuntimeStatus } from './stats/sampler.js';

export interface MonitorLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RuntimeMonitorOptions {
  runtime: ContainerRuntime;
  dockerHost: string;
  logger: MonitorLogger;
  downRetryMs: number;
  upCheckMs: number;
}

export class RuntimeMonitor {
  private current: RuntimeStatus = { ok: false, message: 'not checked yet' };
  private lastLogged = '';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private listeners: ((s: RuntimeStatus) => void)[] = [];

  constructor(private readonly o: RuntimeMonitorOptions) {}

  get status(): RuntimeStatus {
    return this.current;
  }

  /** onChange is called when the engine goes up or down (or its failure changes). */
  onChange(cb: (s: RuntimeStatus) => void): void {
    this.listeners.push(cb);
  }

  /** start probes at once and then keeps probing until stop. */
  async start(): Promise<RuntimeStatus> {
    const s = await this.probe();
    this.schedule();
    return s;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => void this.probe().finally(() => this.schedule()),
      this.current.ok ? this.o.upCheckMs : this.o.downRetryMs,
    );
  }

  async probe(): Promise<RuntimeStatus> {
    let next: RuntimeStatus;
    try {
      next = { ok: true, info: await this.o.runtime.info() };
    } catch (e) {
      next = { ok: false, message: dockerErrorDetail(e) };
    }
    const changed = next.ok !== this.current.ok || (!next.ok && !this.current.ok && next.message !== this.current.message);
    this.current = next;
    const line = next.ok ? `connected to ${next.info.name || 'docker'} ${next.info.version} at ${this.o.dockerHost}` : describeDockerError(this.o.dockerHost, next.message);
    if (line !== this.lastLogged) {
      this.lastLogged = line;
      if (next.ok) this.o.logger.info({}, line);
      else this.o.logger.error({}, line);
    }
    if (changed) for (const cb of this.listeners) cb(next);
    return next;
  }
}

/** dockerErrorDetail shortens an engine error to its cause: "connect ENOENT", "connect EACCES", … */
export function dockerErrorDetail(e: unknown): string {
  let err = e as (Error & { code?: string; cause?: unknown }) | undefined;
  for (let i = 0; err && i < 5; i++) {
    if (typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) return `connect ${err.code}`;
    err = err.cause as typeof err;
  }
  const msg = (e as Error)?.message ?? String(e);
  return msg.split('\n')[0];
}

/** describeDockerError is the one line an operator sees while the engine is unreachable. */
export function describeDockerError(host: string, detail: string): string {
  const hint = /EACCES/.test(detail)
    ? 'run the agent as root or add its user to the docker group'
    : 'is the Docker engine running? (install: apt-get install docker.io; start: dockerd)';
  return `cannot reach Docker at ${host}: ${detail} — ${hint}`;
}
