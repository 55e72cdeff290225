import { describe, expect, it } from 'vitest';
import { podRequests } from './pod-requests.js';
import { assume, buildSnapshot, forget, spreadGroup } from './snapshot.js';
import { makeNode, makePod } from './testing.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

describe('buildSnapshot', () => {
  it('parses allocatable once per node, falling back to capacity', () => {
    const s = buildSnapshot([makeNode('a', { cpu: '2', memory: '1Gi', pods: '10' }), makeNode('b', { cpu: '500m', capacityOnly: true })], []);
    expect(s.nodes.map((n) => n.allocatable)).toEqual([
      { milliCPU: 2000, memory: Gi, pods: 10 },
      { milliCPU: 500, memory: 8 * Gi, pods: 110 },
    ]);
    expect(s.byName.get('b')?.index).toBe(1);
  });

  it.each([
    ['a Running pod counts', { nodeName: 'a', phase: 'Running' as const }, 1],
    ['a Pending bound pod counts', { nodeName: 'a' }, 1],
    ['a Succeeded pod does not', { nodeName: 'a', phase: 'Succeeded' as const }, 0],
    ['a Failed pod does not', { nodeName: 'a', phase: 'Failed' as const }, 0],
    ['an unbound pod does not', {}, 0],
    ['a pod on an unknown node is ignored', { nodeName: 'zz' }, 0],
  ])('%s', (_name, opts, pods) => {
    const s = buildSnapshot([makeNode('a')], [makePod('p', { cpu: '250m', memory: '64Mi', ...opts })]);
    expect(s.nodes[0].requested).toEqual({ milliCPU: 250 * pods, memory: 64 * Mi * pods, pods });
  });

  it('sums every bound pod of a node, with non-zero defaults kept apart', () => {
    const s = buildSnapshot(
      [makeNode('a'), makeNode('b')],
      [makePod('p1', { cpu: '1', memory: '1Gi', nodeName: 'a' }), makePod('p2', { nodeName: 'a' }), makePod('p3', { cpu: '100m', nodeName: 'b' })],
    );
    expect(s.byName.get('a')?.requested).toEqual({ milliCPU: 1000, memory: Gi, pods: 2 });
    expect(s.byName.get('a')?.nonZeroRequested).toEqual({ milliCPU: 1100, memory: Gi + 200 * Mi });
    expect(s.byName.get('b')?.requested).toEqual({ milliCPU: 100, memory: 0, pods: 1 });
  });

  it('keeps the first of two nodes with one name', () => {
    const s = buildSnapshot([makeNode('a', { cpu: '1' }), makeNode('a', { cpu: '2' })], []);
    expect(s.nodes).toHaveLength(1);
    expect(s.nodes[0].allocatable.milliCPU).toBe(1000);
  });

  it('records the Ready condition', () => {
    const s = buildSnapshot([makeNode('a'), makeNode('b', { ready: 'False' }), makeNode('c', { ready: null })], []);
    expect(s.nodes.map((n) => n.ready)).toEqual(['True', 'False', 'Unknown']);
  });
});

describe('spread groups', () => {
  it('counts bound pods per node for each owner, materialised on first use', () => {
    const pods = [makePod('x1', { owner: 'rs', nodeName: 'a' }), makePod('x2', { owner: 'rs', nodeName: 'a' }), makePod('x3', { owner: 'rs', nodeName: 'c' })];
    const s = buildSnapshot([makeNode('a'), makeNode('b'), makeNode('c')], pods);
    expect(s.spread.size).toBe(0);
    const g = spreadGroup(s, 'rs');
    expect(g && [...g.counts]).toEqual([2, 0, 1]);
    expect(g?.max).toBe(2);
    expect(spreadGroup(s, 'rs')).toBe(g);
    expect(spreadGroup(s, 'other')).toBeUndefined();
    expect(spreadGroup(s, '')).toBeUndefined();
  });
});

describe('assume and forget', () => {
  it('assume books requests, pod count and spread count onto the node', () => {
    const s = buildSnapshot([makeNode('a'), makeNode('b')], []);
    const pod = makePod('p', { cpu: '300m', memory: '128Mi', owner: 'rs' });
    assume(s, pod, 'b');
    assume(s, makePod('q', { cpu: '300m', memory: '128Mi', owner: 'rs' }), 'b');
    const b = s.byName.get('b');
    expect(b?.requested).toEqual({ milliCPU: 600, memory: 256 * Mi, pods: 2 });
    expect(b?.nonZeroRequested).toEqual({ milliCPU: 600, memory: 256 * Mi });
    const g = spreadGroup(s, 'rs');
    expect(g && [...g.counts]).toEqual([0, 2]);
    expect(g?.max).toBe(2);
  });

  it('assume adds to a group that only had bound pods so far', () => {
    const s = buildSnapshot([makeNode('a'), makeNode('b')], [makePod('x', { owner: 'rs', nodeName: 'a' })]);
    assume(s, makePod('y', { owner: 'rs' }), 'b');
    expect([...(spreadGroup(s, 'rs')?.counts ?? [])]).toEqual([1, 1]);
  });

  it('forget undoes assume, lowering max when the node held it', () => {
    const s = buildSnapshot([makeNode('a'), makeNode('b')], [makePod('x', { owner: 'rs', nodeName: 'a' })]);
    const pod = makePod('y', { cpu: '1', owner: 'rs' });
    const req = podRequests(pod);
    assume(s, pod, 'a', req);
    expect(spreadGroup(s, 'rs')?.max).toBe(2);
    forget(s, pod, 'a', req);
    expect(s.byName.get('a')?.requested).toEqual({ milliCPU: 0, memory: 0, pods: 1 });
    expect(spreadGroup(s, 'rs')?.max).toBe(1);
  });

  it('throws for a node that is not in the snapshot, which is a caller bug', () => {
    const s = buildSnapshot([makeNode('a')], []);
    expect(() => assume(s, makePod('p'), 'zz')).toThrow(/not in the snapshot/);
  });
});
