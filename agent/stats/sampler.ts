// sampler: turns the fingerprint, a host sample and the runtime's health into a NodeReport every
// ~10 s, and hands it on only when something other than heartbeat times changed.
//
// Node conditions (each True/False with a reason, as kubelet words them):
//   Ready           True while the container runtime answers
//   MemoryPressure  available memory < 5 %
//   DiskPressure    the data dir's filesystem < 10 % free
//   PIDPressure     tasks use > 95 % of kernel.pid_max
import type { Condition } from '../../shared/api/meta.js';
import { rfc3339 } from '../../shared/clock.js';
import type { NodeReport } from '../../shared/mqtt/payloads.js';
import type { RuntimeInfo } from '../runtime/runtime.js';
import { ANNOTATIONS, type Fingerprint, LABELS } from './fingerprint.js';
import { describeThrottled, type HostSample } from './host.js';

export const KUBELET_VERSION = 'v1.31.0-bramble';
export const MAX_PODS = '110';
export const MEMORY_PRESSURE_RATIO = 0.05;
export const DISK_PRESSURE_RATIO = 0.1;
export const PID_PRESSURE_RATIO = 0.05;
// TEMPERATURE_STEP: the reported temperature moves only when the SoC drifts this far, so a Pi
// hovering between 47 and 48 °C does not rewrite its Node every 10 s.
export const TEMPERATURE_STEP = 2;

export type RuntimeStatus = { ok: true; info: RuntimeInfo } | { ok: false; message: string };

export interface NodeIdentity {
  nodeName: string;
  nodeIp: string;
  extraLabels: Record<string, string>;
}

interface CheckResult {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** checks evaluates the four conditions, in kubelet's order. */
export function checks(host: HostSample, runtime: RuntimeStatus): CheckResult[] {
  const memLow = host.memTotal > 0 && host.memAvailable / host.memTotal < MEMORY_PRESSURE_RATIO;
  const diskLow = !!host.diskTotal && (host.diskAvailable ?? 0) / host.diskTotal < DISK_PRESSURE_RATIO;
  const pidLow = !!host.pidMax && host.pids !== undefined && (host.pidMax - host.pids) / host.pidMax < PID_PRESSURE_RATIO;
  return [
    memLow
      ? { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'agent has insufficient memory available' }
      : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'agent has sufficient memory available' },
    diskLow
      ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'agent has disk pressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'agent has no disk pressure' },
    pidLow
      ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'agent has insufficient PID available' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'agent has sufficient PID available' },
    runtime.ok
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bramble agent is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: `container runtime is down: ${runtime.message}` },
  ];
}

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

/** buildNodeReport is pure: same inputs, same report. */
export function buildNodeReport(fp: Fingerprint, id: NodeIdentity, host: HostSample, runtime: RuntimeStatus, conditions: Condition[]): NodeReport {
  const capacity: Record<string, string> = { cpu: String(fp.cpus), memory: ki(fp.memoryBytes), pods: MAX_PODS };
  if (host.diskTotal) capacity['ephemeral-storage'] = ki(host.diskTotal);
  const labels: Record<string, string> = {
    [LABELS.arch]: fp.arch,
    [LABELS.os]: fp.os,
    [LABELS.hostname]: id.nodeName,
    ...(fp.board?.label ? { [LABELS.board]: fp.board.label } : {}),
    ...id.extraLabels,
  };
  const annotations: Record<string, string> = {};
  if (fp.board) annotations[ANNOTATIONS.boardModel] = fp.board.model;
  if (host.temperatureC !== undefined) annotations[ANNOTATIONS.temperature] = `${Math.round(host.temperatureC)}°C`;
  if (host.throttled !== undefined) annotations[ANNOTATIONS.throttled] = describeThrottled(host.throttled);
  const nodeInfo: Record<string, string> = {
    kernelVersion: fp.kernelVersion,
    osImage: fp.osImage,
    containerRuntimeVersion: runtime.ok ? `${runtime.info.name || 'docker'}://${runtime.info.version}` : '',
    kubeletVersion: KUBELET_VERSION,
    kubeProxyVersion: KUBELET_VERSION,
    architecture: fp.arch,
    operatingSystem: fp.os,
  };
  if (fp.machineID) nodeInfo.machineID = fp.machineID;
  if (fp.bootID) nodeInfo.bootID = fp.bootID;
  return {
    v: 1,
    capacity,
    allocatable: { ...capacity },
    conditions,
    addresses: [
      { type: 'InternalIP', address: id.nodeIp },
      { type: 'Hostname', address: fp.hostname },
    ],
    nodeInfo,
    labels,
    annotations,
  };
}

/** sameReport compares two reports ignoring heartbeat times. */
export function sameReport(a: NodeReport | undefined, b: NodeReport): boolean {
  if (!a) return false;
  const strip = (r: NodeReport) => JSON.stringify({ ...r, conditions: r.conditions.map(({ lastHeartbeatTime: _, ...c }) => c) });
  return strip(a) === strip(b);
}

export interface SamplerOptions {
  fingerprint: Fingerprint;
  identity: NodeIdentity;
  host: { sample(): Promise<HostSample> };
  runtime: () => RuntimeStatus;
  intervalMs: number;
  now?: () => number;
}

/** Sampler samples on a timer (and on demand) and reports changes. */
export class Sampler {
  private timer: NodeJS.Timeout | undefined;
  private last: NodeReport | undefined;
  private readonly since = new Map<string, { status: string; at: string }>();
  private reportedTemp: number | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private listeners: ((r: NodeReport) => void)[] = [];

  constructor(private readonly o: SamplerOptions) {}

  onReport(cb: (r: NodeReport) => void): void {
    this.listeners.push(cb);
  }

  get report(): NodeReport | undefined {
    return this.last;
  }

  start(): void {
    void this.sampleNow().catch(() => undefined);
    this.timer = setInterval(() => void this.sampleNow().catch(() => undefined), this.o.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** sampleNow builds a report (samples never overlap) and emits it if it changed. */
  sampleNow(): Promise<NodeReport> {
    const next = this.chain.then(() => this.sampleOnce());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async sampleOnce(): Promise<NodeReport> {
    const host = await this.o.host.sample();
    host.temperatureC = this.smoothTemperature(host.temperatureC);
    const runtime = this.o.runtime();
    const now = rfc3339((this.o.now ?? Date.now)());
    const conditions: Condition[] = checks(host, runtime).map((c) => {
      const prev = this.since.get(c.type);
      const at = prev && prev.status === c.status ? prev.at : now;
      this.since.set(c.type, { status: c.status, at });
      return { ...c, lastHeartbeatTime: now, lastTransitionTime: at };
    });
    const report = buildNodeReport(this.o.fingerprint, this.o.identity, host, runtime, conditions);
    if (!sameReport(this.last, report)) {
      this.last = report;
      for (const cb of this.listeners) cb(report);
    }
    return report;
  }

  private smoothTemperature(t: number | undefined): number | undefined {
    if (t === undefined) return undefined;
    if (this.reportedTemp === undefined || Math.abs(t - this.reportedTemp) >= TEMPERATURE_STEP) this.reportedTemp = t;
    return this.reportedTemp;
  }
}
