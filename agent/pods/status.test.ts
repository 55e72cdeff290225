import { describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { type ContainerInfo, LABELS } from '../runtime/runtime.js';
import { type ContainerStatusView, containerStatus, podPhase, podStatus, qosClass, statusLabel } from './status.js';

const info = (id: string, attempt: number, state: ContainerInfo['state']): ContainerInfo => ({
  id,
  name: `k8s_c_${attempt}`,
  image: 'img',
  imageId: 'sha256:1',
  labels: { [LABELS.attempt]: String(attempt) },
  state,
});
const running = info('r', 2, { status: 'running', startedAt: 'T2' });
const exited = (code: number, attempt = 1) => info(`e${attempt}`, attempt, { status: 'exited', exitCode: code, startedAt: 'T0', finishedAt: 'T1' });
const facts = { name: 'c', image: 'img', ready: true, started: true, idPrefix: 'docker' };

describe('containerStatus', () => {
  it('shows a running container with the one before it as lastState', () => {
    expect(containerStatus({ ...facts, latest: running, previous: exited(1) })).toEqual({
      name: 'c',
      image: 'img',
      imageID: 'sha256:1',
      containerID: 'docker://r',
      ready: true,
      started: true,
      restartCount: 2,
      state: { running: { startedAt: 'T2' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: 'T0', finishedAt: 'T1', containerID: 'docker://e1' } },
    });
  });

  it('shows a crash-looping container as waiting, its last run as lastState', () => {
    const s = containerStatus({ ...facts, latest: exited(1, 3), waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } });
    expect(s).toMatchObject({ ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } });
    expect(s.containerID).toBeUndefined();
  });

  it.each([
    [{ status: 'exited', exitCode: 0 }, 'Completed'],
    [{ status: 'exited', exitCode: 2 }, 'Error'],
    [{ status: 'exited', exitCode: 137, oomKilled: true }, 'OOMKilled'],
    [{ status: 'created', error: 'exec: "nope": not found' }, 'ContainerCannotRun'],
  ] as const)('terminated reason of %j is %s', (state, reason) => {
    const s = containerStatus({ ...facts, latest: info('x', 0, state as ContainerInfo['state']) });
    expect('terminated' in s.state && s.state.terminated.reason).toBe(reason);
  });
});

const view = (state: ContainerStatusView['state'], last?: number): ContainerStatusView => ({
  name: 'c',
  image: 'i',
  imageID: '',
  ready: 'running' in state,
  started: true,
  restartCount: 0,
  state,
  lastState: last === undefined ? {} : { terminated: { exitCode: last, reason: 'Error', containerID: 'x' } },
});
const run = view({ running: {} });
const wait = view({ waiting: { reason: 'ContainerCreating' } });
const done = (code: number) => view({ terminated: { exitCode: code, reason: code ? 'Error' : 'Completed', containerID: 'x' } });
const loop = view({ waiting: { reason: 'CrashLoopBackOff' } }, 1);
const pod = (restartPolicy?: 'Always' | 'OnFailure' | 'Never'): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { restartPolicy, containers: [] } });

describe('podPhase', () => {
  it.each([
    ['Always', [], [wait], 'Pending'],
    ['Always', [], [run, wait], 'Pending'],
    ['Always', [], [run, loop], 'Running'],
    ['Always', [], [done(0)], 'Running'],
    ['OnFailure', [], [done(0), done(0)], 'Succeeded'],
    ['OnFailure', [], [done(0), done(1)], 'Running'],
    ['Never', [], [done(0), done(1)], 'Failed'],
    ['Never', [], [run, done(1)], 'Running'],
    ['Always', [run], [wait], 'Pending'],
    ['Always', [loop], [wait], 'Pending'],
    ['Never', [done(1)], [wait], 'Failed'],
    ['Never', [done(0)], [run], 'Running'],
  ] as const)('%s, init %j, app %j → %s', (policy, init, app, phase) => {
    expect(podPhase(pod(policy), [...init], [...app])).toBe(phase);
  });

  it('never leaves a terminal phase', () => {
    expect(podPhase(pod('Always'), [], [run], 'Succeeded')).toBe('Succeeded');
  });

  it('ends a deleted pod Succeeded only if every container exited 0', () => {
    expect(podPhase(pod('Always'), [], [done(0)], 'Running', true)).toBe('Succeeded');
    expect(podPhase(pod('Always'), [], [done(143)], 'Running', true)).toBe('Failed');
  });
});

describe('podStatus', () => {
  const base = { pod: pod(), hostIP: '192.168.1.10', podIP: '10.42.0.7', sandboxReady: true, init: [], now: Date.UTC(2025, 0, 1, 0, 1) };

  it('keeps lastTransitionTime while a condition keeps its value', () => {
    const first = podStatus({ ...base, app: [wait], now: Date.UTC(2025, 0, 1) });
    const second = podStatus({ ...base, app: [run], previous: first });
    const t = (s: typeof first, type: string) => s.conditions?.find((c) => c.type === type);
    expect(t(first, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', lastTransitionTime: '2025-01-01T00:00:00Z' });
    expect(t(second, 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: '2025-01-01T00:01:00Z' });
    expect(t(second, 'Initialized')?.lastTransitionTime).toBe('2025-01-01T00:00:00Z');
    expect(t(second, 'PodScheduled')?.lastTransitionTime).toBe('2025-01-01T00:00:00Z');
    expect(second).toMatchObject({ phase: 'Running', podIP: '10.42.0.7', podIPs: [{ ip: '10.42.0.7' }], hostIP: '192.168.1.10', startTime: '2025-01-01T00:00:00Z', qosClass: 'BestEffort' });
  });

  it('holds Ready False for readiness gates that are not True', () => {
    const p = { ...pod(), spec: { containers: [], readinessGates: [{ conditionType: 'example.com/lb' }] } } as Pod;
    const s = podStatus({ ...base, pod: p, app: [run], previous: { conditions: [{ type: 'example.com/lb', status: 'False' }] } });
    expect(s.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady' });
    expect(s.conditions?.find((c) => c.type === 'example.com/lb')).toBeDefined();
  });

  it.each([
    [{ initContainerStatuses: [view({ running: {} }), wait], containerStatuses: [wait] }, 'Init:0/2'],
    [{ initContainerStatuses: [done(0), view({ waiting: { reason: 'PodInitializing' } })], containerStatuses: [wait] }, 'Init:1/2'],
    [{ initContainerStatuses: [loop], containerStatuses: [wait] }, 'Init:CrashLoopBackOff'],
    [{ containerStatuses: [loop], phase: 'Running' }, 'CrashLoopBackOff'],
    [{ containerStatuses: [run], phase: 'Running' }, 'Running'],
  ])('statusLabel %#', (status, label) => expect(statusLabel(status as any)).toBe(label));
});

describe('qosClass', () => {
  const withRes = (resources: any) => ({ ...pod(), spec: { containers: [{ name: 'c', image: 'i', resources }] } }) as Pod;
  it.each([
    [{}, 'BestEffort'],
    [{ requests: { cpu: '100m' } }, 'Burstable'],
    [{ limits: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } }, 'Burstable'],
  ])('%j → %s', (res, qos) => expect(qosClass(withRes(res))).toBe(qos));
});
