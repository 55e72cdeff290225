import { describe, expect, it } from 'vitest';
import type { Container } from '../../shared/api/core.js';
import { DEFAULT_MEMORY, DEFAULT_MILLI_CPU, podRequests } from './pod-requests.js';
import { spreadKey } from './spread-key.js';
import { makePod } from './testing.js';

const Mi = 2 ** 20;

function c(requests?: Record<string, string>, limits?: Record<string, string>): Container {
  return { name: 'c', image: 'i', resources: { requests, limits } };
}

describe('podRequests', () => {
  it.each<[string, Container[], Container[], { milliCPU: number; memory: number; nonZeroMilliCPU: number; nonZeroMemory: number }]>([
    ['one container', [c({ cpu: '250m', memory: '64Mi' })], [], { milliCPU: 250, memory: 64 * Mi, nonZeroMilliCPU: 250, nonZeroMemory: 64 * Mi }],
    [
      'containers add up',
      [c({ cpu: '250m', memory: '64Mi' }), c({ cpu: '1', memory: '1Gi' })],
      [],
      { milliCPU: 1250, memory: 1088 * Mi, nonZeroMilliCPU: 1250, nonZeroMemory: 1088 * Mi },
    ],
    ['limits stand in for missing requests', [c(undefined, { cpu: '500m', memory: '32Mi' })], [], { milliCPU: 500, memory: 32 * Mi, nonZeroMilliCPU: 500, nonZeroMemory: 32 * Mi }],
    ['per resource', [c({ cpu: '100m' }, { cpu: '1', memory: '32Mi' })], [], { milliCPU: 100, memory: 32 * Mi, nonZeroMilliCPU: 100, nonZeroMemory: 32 * Mi }],
    ['no requests: zero, non-zero defaults for scoring', [c()], [], { milliCPU: 0, memory: 0, nonZeroMilliCPU: DEFAULT_MILLI_CPU, nonZeroMemory: DEFAULT_MEMORY }],
    ['an explicit zero stays zero', [c({ cpu: '0', memory: '0' })], [], { milliCPU: 0, memory: 0, nonZeroMilliCPU: 0, nonZeroMemory: 0 }],
    [
      'a larger init container wins',
      [c({ cpu: '100m', memory: '64Mi' })],
      [c({ cpu: '2', memory: '16Mi' })],
      { milliCPU: 2000, memory: 64 * Mi, nonZeroMilliCPU: 2000, nonZeroMemory: 64 * Mi },
    ],
    [
      // An init container without a memory request counts as 200Mi when scoring, as in Kubernetes.
      'init containers take the max, not the sum',
      [c({ cpu: '100m', memory: '64Mi' })],
      [c({ cpu: '300m' }), c({ cpu: '200m' })],
      { milliCPU: 300, memory: 64 * Mi, nonZeroMilliCPU: 300, nonZeroMemory: DEFAULT_MEMORY },
    ],
  ])('%s', (_name, containers, initContainers, want) => {
    const req = podRequests(makePod('p', { containers, initContainers }));
    expect({ milliCPU: req.milliCPU, memory: req.memory, nonZeroMilliCPU: req.nonZeroMilliCPU, nonZeroMemory: req.nonZeroMemory }).toEqual(want);
  });

  it('adds spec.overhead', () => {
    const pod = makePod('p', { cpu: '100m', memory: '64Mi' });
    pod.spec.overhead = { cpu: '10m', memory: '1Mi' };
    expect(podRequests(pod)).toMatchObject({ milliCPU: 110, memory: 65 * Mi });
  });
});

describe('spreadKey', () => {
  it('is the controller uid when there is one', () => {
    expect(spreadKey(makePod('a', { owner: 'rs-1', labels: { app: 'x' } }))).toBe('rs-1');
  });

  it('ignores owners that are not the controller', () => {
    const pod = makePod('a', { labels: { app: 'x' } });
    pod.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Thing', name: 't', uid: 'u1' }];
    expect(spreadKey(pod)).toBe(spreadKey(makePod('b', { labels: { app: 'x' } })));
  });

  it('groups bare pods by namespace and the whole label set, in any key order', () => {
    const a = makePod('a', { labels: { app: 'x', tier: 'web' } });
    const b = makePod('b', { labels: { tier: 'web', app: 'x' } });
    expect(spreadKey(a)).toBe(spreadKey(b));
    expect(spreadKey(a)).not.toBe(spreadKey(makePod('c', { labels: { app: 'x' } })));
    expect(spreadKey(a)).not.toBe(spreadKey(makePod('d', { namespace: 'other', labels: { app: 'x', tier: 'web' } })));
  });

  it('is empty for a pod with no controller and no labels', () => {
    expect(spreadKey(makePod('a'))).toBe('');
    expect(spreadKey(makePod('a', { labels: {} }))).toBe('');
  });
});
