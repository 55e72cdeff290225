// probes: liveness, readiness and startup probes. One ProbeLoop per probe of a running container:
// one timer at a time (initialDelaySeconds, then every periodSeconds), nothing spins between runs.
// Results turn only after successThreshold / failureThreshold consecutive outcomes, and only
// turns are reported, so the worker hears about a change, not every probe.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container } from '../../shared/api/core.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { Delay } from './timing.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProbeTarget {
  podIP: string;
  containerId: string;
  container: Container;
}

export interface ProbeOutcome {
  ok: boolean;
  message?: string;
}

/** Prober runs one probe once. The real one talks HTTP/TCP to the pod IP and execs in the container. */
export type Prober = (probe: any, target: ProbeTarget, timeoutMs: number) => Promise<ProbeOutcome>;

export type ProbeResult = 'unknown' | 'success' | 'failure';

export interface ProbeCounter {
  result: ProbeResult;
  successes: number;
  failures: number;
}

/** initialResult: a container isn't ready until its readiness probe passes; liveness starts out alive. */
export function initialResult(kind: ProbeKind): ProbeResult {
  return kind === 'liveness' ? 'success' : kind === 'readiness' ? 'failure' : 'unknown';
}

/** countOutcome folds one probe outcome into the counter (pure). */
export function countOutcome(c: ProbeCounter, ok: boolean, probe: any): ProbeCounter {
  const successes = ok ? c.successes + 1 : 0;
  const failures = ok ? 0 : c.failures + 1;
  let result = c.result;
  if (ok && successes >= (probe.successThreshold ?? 1)) result = 'success';
  if (!ok && failures >= (probe.failureThreshold ?? 3)) result = 'failure';
  return { result, successes, failures };
}

/** ProbeLoop runs one probe of one container until stopped. */
export class ProbeLoop {
  private counter: ProbeCounter;
  private timer?: { cancel(): void };
  private stopped = false;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: any,
    private readonly target: ProbeTarget,
    private readonly prober: Prober,
    private readonly delay: Delay,
    private readonly onTurn: (kind: ProbeKind, result: ProbeResult, message: string | undefined) => void,
  ) {
    this.counter = { result: initialResult(kind), successes: 0, failures: 0 };
  }

  get result(): ProbeResult {
    return this.counter.result;
  }

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.delay(ms, () => void this.tick());
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const timeoutMs = (this.probe.timeoutSeconds ?? 1) * 1000;
    const outcome = await this.prober(this.probe, this.target, timeoutMs).catch((err: unknown) => ({ ok: false, message: String(err) }));
    if (this.stopped) return;
    const before = this.counter.result;
    this.counter = countOutcome(this.counter, outcome.ok, this.probe);
    if (this.counter.result !== before) this.onTurn(this.kind, this.counter.result, outcome.message);
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }
}

/** probePort resolves a probe's port, by number or by the name of a container port. */
export function probePort(port: number | string, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/** realProber runs httpGet (2xx/3xx passes), tcpSocket (a connection passes) and exec (exit 0 passes). */
export function realProber(runtime: ContainerRuntime): Prober {
  return async (probe, target, timeoutMs) => {
    if (probe.exec) {
      const r = await runtime.exec(target.containerId, probe.exec.command ?? [], timeoutMs);
      return r.exitCode === 0 ? { ok: true } : { ok: false, message: r.output.trim() || `command exited with ${r.exitCode}` };
    }
    const handler = probe.httpGet ?? probe.tcpSocket;
    if (!handler) return { ok: true }; // grpc probes are not run by Bramble: treated as passing
    const port = probePort(handler.port, target.container);
    if (port === undefined) return { ok: false, message: `port ${handler.port} not found in container ${target.container.name}` };
    const host = handler.host || target.podIP;
    return probe.httpGet ? httpProbe(probe.httpGet, host, port, timeoutMs) : tcpProbe(host, port, timeoutMs);
  };
}

function httpProbe(h: any, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const https = String(h.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.31', accept: '*/*' };
  for (const hd of h.httpHeaders ?? []) headers[String(hd.name).toLowerCase()] = String(hd.value ?? '');
  const path = h.path ? (String(h.path).startsWith('/') ? h.path : `/${h.path}`) : '/';
  const url = `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  return new Promise((resolve) => {
    const req = (https ? httpsRequest : httpRequest)(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
    req.on('error', (err) => resolve({ ok: false, message: err.message }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: timeoutMs });
    sock.once('connect', () => {
      sock.destroy();
      resolve({ ok: true });
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    sock.once('error', (err) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}
