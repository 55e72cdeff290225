// status: the pod status a worker reports, computed from what it knows (the spec, the containers
// the runtime shows, the waiting reasons of its last sync, probe results). Pure: the previous status
// comes in so condition lastTransitionTimes stay put while a condition keeps its value.
import type { Container, Pod, PodStatus } from '../../shared/api/core.js';
import type { Condition } from '../../shared/api/meta.js';
import { rfc3339 } from '../../shared/clock.js';
import { LABELS, type ContainerInfo } from '../runtime/runtime.js';

export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface Terminated {
  exitCode: number;
  reason: 'Completed' | 'Error' | 'OOMKilled' | 'ContainerCannotRun';
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID: string;
}

export type ContainerStateView = { waiting: { reason: string; message?: string } } | { running: { startedAt?: string } } | { terminated: Terminated };

export interface ContainerStatusView {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerStateView;
  lastState: { terminated?: Terminated };
}

export interface ContainerFacts {
  name: string;
  image: string;
  /** latest: the newest container of this name (highest attempt); previous: the one before. */
  latest?: ContainerInfo;
  previous?: ContainerInfo;
  /** waiting: why the container is not running, set by the last sync (ErrImagePull, CrashLoopBackOff…). */
  waiting?: { reason: string; message?: string };
  ready: boolean;
  started: boolean;
  /** idPrefix: the runtime's name, as in "docker://<id>". */
  idPrefix: string;
}

/** attemptOf is a container's restart number within its pod (0 for the first run). */
export function attemptOf(info: ContainerInfo | undefined): number {
  const n = Number(info?.labels[LABELS.attempt] ?? 0);
  return Number.isFinite(n) ? n : 0;
}

/** terminatedOf describes a container that is not running (exited, or created and never started). */
export function terminatedOf(info: ContainerInfo, idPrefix: string): Terminated {
  const s = info.state;
  const cannotRun = s.status === 'created';
  const exitCode = s.exitCode ?? (cannotRun ? 128 : 0);
  const reason = s.oomKilled ? 'OOMKilled' : cannotRun ? 'ContainerCannotRun' : exitCode === 0 ? 'Completed' : 'Error';
  const t: Terminated = { exitCode, reason, containerID: `${idPrefix}://${info.id}` };
  if (s.error) t.message = s.error;
  if (s.startedAt) t.startedAt = s.startedAt;
  if (s.finishedAt) t.finishedAt = s.finishedAt;
  return t;
}

/** containerStatus is one entry of containerStatuses / initContainerStatuses. */
export function containerStatus(f: ContainerFacts): ContainerStatusView {
  const { latest, previous } = f;
  const running = latest?.state.status === 'running';
  const view: ContainerStatusView = {
    name: f.name,
    image: f.image,
    imageID: latest?.imageId ?? '',
    ready: running && f.ready,
    started: running && f.started,
    restartCount: attemptOf(latest),
    state: { waiting: f.waiting ?? { reason: 'ContainerCreating' } },
    lastState: {},
  };
  if (f.waiting || !latest) {
    const last = latest && !running ? latest : previous;
    if (last && last.state.status !== 'running') view.lastState = { terminated: terminatedOf(last, f.idPrefix) };
    return view;
  }
  view.containerID = `${f.idPrefix}://${latest.id}`;
  view.state = running ? { running: { startedAt: latest.state.startedAt } } : { terminated: terminatedOf(latest, f.idPrefix) };
  if (previous && previous.state.status !== 'running') view.lastState = { terminated: terminatedOf(previous, f.idPrefix) };
  return view;
}

const term = (s: ContainerStatusView) => ('terminated' in s.state ? s.state.terminated : undefined);

/** initDone: every init container has exited 0. */
export function initDone(init: ContainerStatusView[]): boolean {
  return init.every((s) => term(s)?.exitCode === 0);
}

/**
 * podPhase follows the kubelet's getPhase: Pending until init containers succeed and every app
 * container has started once; Running while any runs or will be restarted; Succeeded or Failed when
 * all have stopped for good. A terminal phase never changes again. `stopped` marks a pod whose
 * containers were stopped because it is being deleted: it ends Succeeded only if all ran and exited 0.
 */
export function podPhase(pod: Pod, init: ContainerStatusView[], app: ContainerStatusView[], prev?: string, stopped = false): Phase {
  if (prev === 'Succeeded' || prev === 'Failed') return prev;
  if (stopped) return app.length > 0 && app.every((s) => term(s)?.exitCode === 0) ? 'Succeeded' : 'Failed';
  const policy = pod.spec.restartPolicy ?? 'Always';
  for (const s of init) {
    const failed = term(s) ?? s.lastState.terminated;
    if (policy === 'Never' && failed && failed.exitCode !== 0 && !('running' in s.state)) return 'Failed';
  }
  if (!initDone(init)) return 'Pending';
  let waiting = 0;
  let running = 0;
  let stoppedCount = 0;
  let succeeded = 0;
  for (const s of app) {
    if ('running' in s.state) running++;
    else if ('terminated' in s.state) {
      stoppedCount++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) {
      stoppedCount++;
      if (s.lastState.terminated.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stoppedCount === 0) return 'Pending';
  if (policy === 'Always') return 'Running';
  if (succeeded === stoppedCount) return 'Succeeded';
  return policy === 'Never' ? 'Failed' : 'Running';
}

export interface PodFacts {
  pod: Pod;
  hostIP: string;
  podIP?: string;
  sandboxReady: boolean;
  startTime?: string;
  init: ContainerStatusView[];
  app: ContainerStatusView[];
  now: number;
  /** previous: the last status reported (or the one the server holds), for stable transition times. */
  previous?: PodStatus;
  stopped?: boolean;
}

const MANAGED = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

/** podStatus builds the whole status object for a pod. */
export function podStatus(f: PodFacts): PodStatus {
  const prev = f.previous ?? {};
  const phase = podPhase(f.pod, f.init, f.app, prev.phase, f.stopped);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const names = (list: ContainerStatusView[]) => list.map((s) => s.name).join(' ');
  const incomplete = f.init.filter((s) => term(s)?.exitCode !== 0);
  const unready = f.app.filter((s) => !s.ready);
  const gates = ((f.pod.spec.readinessGates ?? []) as { conditionType: string }[]).filter(
    (g) => prev.conditions?.find((c: Condition) => c.type === g.conditionType)?.status !== 'True',
  );
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const status = ok ? 'True' : 'False';
    const before = prev.conditions?.find((c: Condition) => c.type === type);
    const c: Condition = { type, status, lastProbeTime: null, lastTransitionTime: before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(f.now) };
    if (!ok && reason) c.reason = reason;
    if (!ok && message) c.message = message;
    return c;
  };
  const notReady = (list: ContainerStatusView[]) => (done ? ['PodCompleted', undefined] : ['ContainersNotReady', `containers with unready status: [${names(list)}]`]);
  const [crReason, crMessage] = notReady(unready);
  const readyReason = unready.length === 0 && gates.length ? 'ReadinessGatesNotReady' : crReason;
  const readyMessage = unready.length === 0 && gates.length ? `corresponding condition of pod readiness gate "${gates[0].conditionType}" does not exist.` : crMessage;
  const conditions: Condition[] = [
    cond('PodReadyToStartContainers', f.sandboxReady),
    cond('Initialized', incomplete.length === 0, 'ContainersNotInitialized', `containers with incomplete status: [${names(incomplete)}]`),
    cond('Ready', !done && unready.length === 0 && gates.length === 0, readyReason, readyMessage),
    cond('ContainersReady', !done && unready.length === 0, crReason, crMessage),
    prev.conditions?.find((c: Condition) => c.type === 'PodScheduled') ?? cond('PodScheduled', true),
    ...(prev.conditions ?? []).filter((c: Condition) => !MANAGED.has(c.type)),
  ];
  const status: PodStatus = { phase, conditions, hostIP: f.hostIP, hostIPs: [{ ip: f.hostIP }] };
  const podIP = f.podIP ?? prev.podIP;
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  status.startTime = prev.startTime ?? f.startTime ?? rfc3339(f.now);
  if (f.init.length) status.initContainerStatuses = f.init;
  status.containerStatuses = f.app;
  status.qosClass = prev.qosClass ?? qosClass(f.pod);
  return status;
}

/** qosClass: Guaranteed when every container limits and requests cpu and memory equally, BestEffort when none asks for anything. */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all: Container[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  const any = all.some((c) => Object.keys(c.resources?.limits ?? {}).length || Object.keys(c.resources?.requests ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = all.every((c) => {
    const l = c.resources?.limits ?? {};
    const r = { ...l, ...(c.resources?.requests ?? {}) };
    return l.cpu && l.memory && r.cpu === l.cpu && r.memory === l.memory;
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** statusLabel is kubectl's STATUS column for a pod, e.g. "Init:0/1" or "CrashLoopBackOff" (for events and logs). */
export function statusLabel(status: PodStatus): string {
  const init = (status.initContainerStatuses ?? []) as ContainerStatusView[];
  for (let i = 0; i < init.length; i++) {
    const s = init[i];
    if (term(s)?.exitCode === 0) continue;
    if ('waiting' in s.state && s.state.waiting.reason !== 'PodInitializing') return `Init:${s.state.waiting.reason}`;
    if (term(s)) return `Init:${term(s)?.reason}`;
    return `Init:${i}/${init.length}`;
  }
  for (const s of (status.containerStatuses ?? []) as ContainerStatusView[]) {
    if ('waiting' in s.state && s.state.waiting.reason !== 'ContainerCreating') return s.state.waiting.reason;
  }
  return String(status.phase ?? 'Pending');
}
