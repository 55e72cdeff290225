import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from '../../shared/api/core.js';
import type { Condition, KubeObject } from '../../shared/api/meta.js';
import { rfc3339, rfc3339Micro } from '../../shared/clock.js';
import {
  decideEviction,
  healthOf,
  lastHeartbeat,
  NOT_READY,
  nextConditions,
  nextTaints,
  podNotReady,
  STATUS_UNKNOWN,
  tolerates,
  UNREACHABLE,
} from './node-lifecycle-logic.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const GRACE = 3_000;

function node(conditions?: Condition[], created = T0): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi1', creationTimestamp: rfc3339(created) }, spec: {}, status: conditions ? { conditions } : {} };
}
const lease = (renew: number): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'pi1', namespace: 'kube-node-lease' },
  spec: { holderIdentity: 'pi1', leaseDurationSeconds: 40, renewTime: rfc3339Micro(renew) },
});
const ready = (status: Condition['status'], reason = 'KubeletReady', heartbeat = T0): Condition => ({
  type: 'Ready',
  status,
  reason,
  lastHeartbeatTime: rfc3339(heartbeat),
  lastTransitionTime: rfc3339(T0),
});
const memory = (): Condition => ({ type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' });

describe('heartbeats', () => {
  it('takes the newest of lease renewal, Ready heartbeat and creation', () => {
    expect(lastHeartbeat(node(), undefined)).toBe(T0);
    expect(lastHeartbeat(node([ready('True', 'KubeletReady', T0 + 2_000)]), undefined)).toBe(T0 + 2_000);
    expect(lastHeartbeat(node([ready('True')]), lease(T0 + 5_123))).toBe(T0 + 5_123);
  });
});

describe('nextConditions', () => {
  it('leaves a node with a fresh lease alone', () => {
    expect(nextConditions(node([ready('True'), memory()]), lease(T0 + 10_000), T0 + 12_000, GRACE)).toBeUndefined();
  });

  it('marks Ready and the pressures Unknown when the lease is stale', () => {
    const c = nextConditions(node([ready('True'), memory(), { type: 'Custom', status: 'True' }]), lease(T0), T0 + 3_001, GRACE)!;
    expect(c.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['Ready', 'Unknown', STATUS_UNKNOWN],
      ['MemoryPressure', 'Unknown', STATUS_UNKNOWN],
      ['Custom', 'True', undefined],
      ['DiskPressure', 'Unknown', 'NodeStatusNeverUpdated'],
      ['PIDPressure', 'Unknown', 'NodeStatusNeverUpdated'],
    ]);
    expect(c[0].message).toBe('Kubelet stopped posting node status.');
    expect(c[0].lastTransitionTime).toBe(rfc3339(T0 + 3_001));
    expect(c[0].lastHeartbeatTime).toBe(rfc3339(T0));
  });

  it('counts the grace from creation for a node without lease or status', () => {
    expect(nextConditions(node(), undefined, T0 + 2_000, GRACE)).toBeUndefined();
    const c = nextConditions(node(), undefined, T0 + 4_000, GRACE)!;
    expect(c.find((x) => x.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated' });
  });

  it('brings back what it marked Unknown with a fresh lease, but not what the agent reported', () => {
    const stale = nextConditions(node([ready('True'), memory()]), lease(T0), T0 + 10_000, GRACE)!;
    const back = nextConditions(node(stale), lease(T0 + 10_500), T0 + 11_000, GRACE)!;
    expect(back.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['Ready', 'True', 'KubeletReady'],
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'Unknown', 'NodeStatusNeverUpdated'],
      ['PIDPressure', 'Unknown', 'NodeStatusNeverUpdated'],
    ]);
    expect(nextConditions(node([ready('False', 'KubeletNotReady')]), lease(T0 + 10_500), T0 + 11_000, GRACE)).toBeUndefined();
  });

  it('takes heartbeats held in memory as fresh as a lease', () => {
    expect(nextConditions(node([ready('True'), memory()]), lease(T0), T0 + 10_000, GRACE, { lastSeen: T0 + 9_000 })).toBeUndefined();
  });

  it('marks a node whose agent is known gone Unknown at once, with the reason', () => {
    const c = nextConditions(node([ready('True'), memory()]), lease(T0 + 10_000), T0 + 10_001, GRACE, { lastSeen: T0 + 10_000, gone: 'Node agent disconnected.' })!;
    expect(c[0]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: STATUS_UNKNOWN, message: 'Node agent disconnected.' });
  });
});

describe('nextTaints', () => {
  const now = T0 + 5_000;
  it.each([
    ['Unknown', [], [`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]],
    ['NotReady', [], [`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]],
    ['NotReady', [{ key: UNREACHABLE, effect: 'NoExecute' }], [`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]],
    ['Ready', [{ key: UNREACHABLE, effect: 'NoExecute' }, { key: 'gpu', effect: 'NoSchedule' }], ['gpu:NoSchedule']],
  ] as const)('%s from %j', (health, from, want) => {
    const out = nextTaints(from as unknown as Taint[], health, now)!;
    expect(out.map((t) => `${t.key}:${t.effect}`)).toEqual(want);
  });

  it('keeps timeAdded of taints already there and changes nothing when in line', () => {
    const old: Taint[] = [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: rfc3339(T0) }];
    const out = nextTaints(old, 'Unknown', now)!;
    expect(out[0].timeAdded).toBe(rfc3339(T0));
    expect(out[1]).toEqual({ key: UNREACHABLE, effect: 'NoSchedule', timeAdded: rfc3339(now) });
    expect(nextTaints(out, 'Unknown', now + 1_000)).toBeUndefined();
    expect(nextTaints([], 'Ready', now)).toBeUndefined();
    expect(nextTaints([], 'New', now)).toBeUndefined();
  });

  it('reads health from the Ready condition', () => {
    expect([healthOf(node([ready('True')])), healthOf(node([ready('False')])), healthOf(node([ready('Unknown')])), healthOf(node())]).toEqual([
      'Ready',
      'NotReady',
      'Unknown',
      'New',
    ]);
  });
});

describe('eviction', () => {
  const taint: Taint = { key: UNREACHABLE, effect: 'NoExecute', timeAdded: rfc3339(T0) };
  const pod = (tolerations: Toleration[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { tolerations } });
  const at = (t: Taint) => Date.parse(t.timeAdded!);

  it.each([
    ['exact key', { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }, true],
    ['any key', { operator: 'Exists' }, true],
    ['other effect', { key: UNREACHABLE, operator: 'Exists', effect: 'NoSchedule' }, false],
    ['other key', { key: 'x', operator: 'Exists' }, false],
    ['equal value', { key: UNREACHABLE, operator: 'Equal', value: '' }, true],
    ['wrong value', { key: UNREACHABLE, value: 'v' }, false],
  ] as const)('tolerates: %s', (_n, t, want) => {
    expect(tolerates(t as Toleration, taint)).toBe(want);
  });

  it.each([
    ['no toleration: now', [], T0, { type: 'evict' }],
    ['toleration without limit: stays', [{ operator: 'Exists' }], T0 + 1e9, { type: 'keep' }],
    ['5s toleration, 2s in: waits 3s', [{ key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 5 }], T0 + 2_000, { type: 'wait', ms: 3_000 }],
    ['5s toleration, 5s in: goes', [{ key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 5 }], T0 + 5_000, { type: 'evict' }],
    [
      'the shortest toleration wins',
      [
        { operator: 'Exists' },
        { key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 60 },
        { key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 2 },
      ],
      T0,
      { type: 'wait', ms: 2_000 },
    ],
    ['negative seconds count as 0', [{ key: UNREACHABLE, operator: 'Exists', tolerationSeconds: -1 }], T0, { type: 'evict' }],
  ] as const)('%s', (_n, tolerations, now, want) => {
    expect(decideEviction(pod(tolerations as unknown as Toleration[]), [taint], now, at)).toEqual(want);
  });

  it('needs every NoExecute taint tolerated', () => {
    const other: Taint = { key: 'maintenance', effect: 'NoExecute', timeAdded: rfc3339(T0) };
    expect(decideEviction(pod([{ key: UNREACHABLE, operator: 'Exists' }]), [taint, other], T0, at)).toEqual({ type: 'evict' });
    expect(decideEviction(pod([]), [{ key: 'soft', effect: 'NoSchedule' }], T0, at)).toEqual({ type: 'keep' });
  });
});

describe('podNotReady', () => {
  it('turns Ready False once', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] },
    };
    const s = podNotReady(pod, T0)!;
    expect(s.phase).toBe('Running');
    expect(s.conditions).toEqual([
      { type: 'Ready', status: 'False', lastTransitionTime: rfc3339(T0) },
      { type: 'PodScheduled', status: 'True' },
    ]);
    expect(podNotReady({ ...pod, status: s }, T0)).toBeUndefined();
    expect(podNotReady({ ...pod, status: {} }, T0)).toBeUndefined();
  });
});
