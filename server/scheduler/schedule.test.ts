import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../shared/api/core.js';
import { NO_NODES_MESSAGE } from './fit-error.js';
import type { Plugins, Snapshot } from './framework.js';
import { podRequests } from './pod-requests.js';
import { resourcesFit } from './plugins/resources-fit.js';
import { defaultPlugins } from './registry.js';
import { feasibleNodesToFind, type ScheduleResult, schedule } from './schedule.js';
import { assume, buildSnapshot } from './snapshot.js';
import { makeNode, makePod } from './testing.js';

/** placeAll schedules pods one by one with assume(), as the scheduler loop does. */
function placeAll(snapshot: Snapshot, pods: Pod[], plugins?: Plugins): ScheduleResult[] {
  return pods.map((pod) => {
    const req = podRequests(pod);
    const r = schedule(pod, snapshot, plugins, req);
    if (r.ok) assume(snapshot, pod, r.nodeName, req);
    return r;
  });
}

function nodeNames(results: ScheduleResult[]): string[] {
  return results.map((r) => (r.ok ? r.nodeName : '-'));
}

function tally(names: string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const n of names) t[n] = (t[n] ?? 0) + 1;
  return t;
}

const master = { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' as const };

describe('schedule: why a pod fits nowhere', () => {
  it.each<[string, Node[], Pod[], Pod, string]>([
    [
      'mixed reasons, in Kubernetes format and order',
      [makeNode('a', { memory: '1Gi' }), makeNode('b', { memory: '1Gi' }), makeNode('c', { unschedulable: true })],
      [],
      makePod('p', { memory: '2Gi' }),
      '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient memory.',
    ],
    [
      'taint and affinity',
      [makeNode('m', { taints: [master] }), makeNode('a'), makeNode('b')],
      [],
      makePod('p', { nodeSelector: { disk: 'ssd' } }),
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/master: }, 2 node(s) didn't match Pod's node affinity/selector.",
    ],
    [
      'one node can give several reasons',
      [makeNode('a', { cpu: '1', memory: '1Gi' })],
      [],
      makePod('p', { cpu: '2', memory: '2Gi' }),
      '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.',
    ],
    [
      'bound pods fill nodes',
      [makeNode('a', { pods: '1' }), makeNode('b', { ready: 'False' })],
      [makePod('x', { nodeName: 'a' })],
      makePod('p'),
      '0/2 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.',
    ],
    [
      'counts are sorted as strings, like Kubernetes',
      [...Array.from({ length: 12 }, (_, i) => makeNode(`n${i}`, { cpu: '1' })), makeNode('c1', { unschedulable: true }), makeNode('c2', { unschedulable: true })],
      [],
      makePod('p', { cpu: '2' }),
      '0/14 nodes are available: 12 Insufficient cpu, 2 node(s) were unschedulable.',
    ],
  ])('%s', (_name, nodes, bound, pod, message) => {
    const r = schedule(pod, buildSnapshot(nodes, bound));
    expect(r).toMatchObject({ ok: false, message });
  });

  it('returns the counted reasons as data', () => {
    const r = schedule(makePod('p', { memory: '2Gi' }), buildSnapshot([makeNode('a', { memory: '1Gi' }), makeNode('c', { unschedulable: true })], []));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.fromEntries(r.reasons)).toEqual({ 'Insufficient memory': 1, 'node(s) were unschedulable': 1 });
  });

  it("uses Kubernetes' text when there are no nodes at all", () => {
    expect(schedule(makePod('p'), buildSnapshot([], []))).toEqual({ ok: false, reasons: new Map(), message: NO_NODES_MESSAGE });
    expect(NO_NODES_MESSAGE).toBe('no nodes available to schedule pods');
  });
});

describe('schedule: where a pod goes', () => {
  it('spreads three replicas over three equal nodes, one each', () => {
    const snapshot = buildSnapshot([makeNode('a'), makeNode('b'), makeNode('c')], []);
    const pods = ['web-7f9c-x2', 'web-7f9c-k8', 'web-7f9c-q1'].map((n) => makePod(n, { cpu: '100m', memory: '64Mi', owner: 'rs-web' }));
    expect(nodeNames(placeAll(snapshot, pods)).sort()).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['replicas of one owner', (i: number) => makePod(`web-${i}`, { owner: 'rs-web' })],
    ['bare pods with the same labels', (i: number) => makePod(`job-${i}`, { labels: { app: 'job' } })],
    ['pods with no requests, no owner and no labels', (i: number) => makePod(`p-${i}`)],
  ])('spreads %s evenly', (_name, make) => {
    const snapshot = buildSnapshot([makeNode('a'), makeNode('b'), makeNode('c')], []);
    const names = nodeNames(placeAll(snapshot, Array.from({ length: 9 }, (_, i) => make(i))));
    expect(tally(names)).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('accounts for pods already bound and for pods assumed earlier in the batch', () => {
    const snapshot = buildSnapshot([makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })], [makePod('old', { cpu: '1500m', nodeName: 'a' })]);
    const results = placeAll(snapshot, Array.from({ length: 5 }, (_, i) => makePod(`p${i}`, { cpu: '500m' })));
    // a starts with 1.5 of 2 cpu used, so b takes pods until it is as full as a.
    expect(nodeNames(results)).toEqual(['b', 'b', 'b', 'a', 'b']);
    const sixth = schedule(makePod('p5', { cpu: '500m' }), snapshot);
    expect(sixth).toMatchObject({ ok: false, message: '0/2 nodes are available: 2 Insufficient cpu.' });
  });

  it.each([
    [{ 'kubernetes.io/arch': 'arm64' }, 'pi'],
    [{ 'kubernetes.io/arch': 'amd64' }, 'nuc'],
    [{ 'kubernetes.io/arch': 'arm', 'kubernetes.io/os': 'linux' }, 'zero'],
  ])('nodeSelector %o picks %s', (nodeSelector, want) => {
    const nodes = [
      makeNode('pi', { labels: { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' } }),
      makeNode('nuc', { labels: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux' } }),
      makeNode('zero', { labels: { 'kubernetes.io/arch': 'arm', 'kubernetes.io/os': 'linux' } }),
    ];
    expect(schedule(makePod('p', { nodeSelector }), buildSnapshot(nodes, []))).toMatchObject({ ok: true, nodeName: want, feasibleNodes: 1 });
  });

  it('never uses a tainted node the pod does not tolerate, however empty', () => {
    const nodes = [makeNode('master', { cpu: '64', taints: [master] }), makeNode('small', { cpu: '1' })];
    expect(schedule(makePod('p'), buildSnapshot(nodes, []))).toMatchObject({ ok: true, nodeName: 'small' });
    expect(schedule(makePod('p', { tolerations: [{ operator: 'Exists' }] }), buildSnapshot(nodes, []))).toMatchObject({ ok: true, nodeName: 'master' });
  });

  it('follows preferred node affinity and avoids PreferNoSchedule taints', () => {
    const nodes = [makeNode('a'), makeNode('b', { labels: { disk: 'ssd' } }), makeNode('c', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] })];
    const prefersSsd = makePod('p', {
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] },
    });
    expect(schedule(prefersSsd, buildSnapshot(nodes, []))).toMatchObject({ ok: true, nodeName: 'b' });
    const snapshot = buildSnapshot(nodes, []);
    const names = nodeNames(placeAll(snapshot, Array.from({ length: 4 }, (_, i) => makePod(`q${i}`, { owner: 'rs' }))));
    expect(names.filter((n) => n === 'c')).toHaveLength(0);
  });
});

describe('schedule: ties', () => {
  it('is deterministic for one pod', () => {
    const snapshot = buildSnapshot([makeNode('a'), makeNode('b'), makeNode('c'), makeNode('d')], []);
    const first = schedule(makePod('same'), snapshot);
    for (let i = 0; i < 5; i++) expect(schedule(makePod('same'), snapshot)).toEqual(first);
  });

  it('spreads different pods over tied nodes', () => {
    const snapshot = buildSnapshot([makeNode('a'), makeNode('b'), makeNode('c')], []);
    const picks = Array.from({ length: 300 }, (_, i) => schedule(makePod(`pod-${i}`), snapshot));
    const counts = tally(nodeNames(picks));
    for (const n of ['a', 'b', 'c']) expect(counts[n]).toBeGreaterThan(60);
  });
});

describe('schedule: large snapshots', () => {
  it.each([
    [50, 0, 50],
    [100, 0, 100],
    [200, 0, 100],
    [1000, 0, 420],
    [5000, 0, 500],
    [20000, 0, 1000],
    [1000, 10, 100],
    [1000, 60, 600],
    [1000, 100, 1000],
  ])('%d nodes at %d%% need %d feasible nodes', (nodes, percentage, want) => {
    expect(feasibleNodesToFind(nodes, percentage)).toBe(want);
  });

  it('stops after enough feasible nodes, unless told to score them all', () => {
    const snapshot = buildSnapshot(Array.from({ length: 1000 }, (_, i) => makeNode(`n${i}`)), []);
    expect(schedule(makePod('p'), snapshot)).toMatchObject({ ok: true, feasibleNodes: 420 });
    expect(schedule(makePod('p'), snapshot, { ...defaultPlugins, percentageOfNodesToScore: 100 })).toMatchObject({ ok: true, feasibleNodes: 1000 });
  });

  it('still finds the one node that fits', () => {
    const nodes = Array.from({ length: 999 }, (_, i) => makeNode(`n${i}`, { cpu: '1' }));
    nodes.splice(777, 0, makeNode('big', { cpu: '8' }));
    expect(schedule(makePod('p', { cpu: '4' }), buildSnapshot(nodes, []))).toMatchObject({ ok: true, nodeName: 'big', feasibleNodes: 1 });
  });
});

describe('schedule: custom profiles', () => {
  it('runs only the plugins it is given', () => {
    const profile: Plugins = { filters: [resourcesFit], scores: [] };
    const nodes = [makeNode('cordoned', { unschedulable: true })];
    expect(schedule(makePod('p'), buildSnapshot(nodes, []), profile)).toMatchObject({ ok: true, nodeName: 'cordoned', score: 0 });
  });
});
