import { describe, expect, it } from 'vitest';
import { validate } from './index.js';

const messages = (kind: string, obj: unknown) => validate(kind, obj).map((c) => `${c.field}: ${c.message}`);

describe('Node validation', () => {
  const node = (extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi-1.lan' }, ...extra });

  it('accepts a node with taints and capacity', () => {
    expect(
      messages(
        'Node',
        node({
          spec: { podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24', 'fd00:42::/64'], taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
          status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '3800m' } },
        }),
      ),
    ).toEqual([]);
  });

  it('checks taints, CIDRs and quantities', () => {
    expect(
      messages(
        'Node',
        node({
          spec: {
            podCIDR: '10.42.1.0',
            unschedulable: 'yes',
            taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }, { effect: 'Never' }],
          },
          status: { capacity: { cpu: 'four', memory: '-1' } },
        }),
      ),
    ).toEqual([
      'spec.unschedulable: Invalid value: "yes": spec.unschedulable in body must be of type boolean: "string"',
      'spec.taints[1]: Duplicate value: {"key":"a","effect":"NoSchedule"}: taints must be unique by key and effect pair',
      'spec.taints[2].key: Required value',
      'spec.taints[2].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'spec.podCIDR: Invalid value: "10.42.1.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      "status.capacity[cpu]: Invalid value: \"four\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'status.capacity[memory]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
  });
});

describe('Namespace validation', () => {
  it('needs a DNS label name', () => {
    expect(messages('Namespace', { metadata: { name: 'team-a' } })).toEqual([]);
    expect(messages('Namespace', { metadata: { name: 'team.a' } })).toEqual(['metadata.name: Invalid value: "team.a": must not contain dots']);
    expect(messages('Namespace', { metadata: { name: 'x' }, status: { phase: 'Gone' } })).toEqual([
      'status.phase: Unsupported value: "Gone": supported values: "Active", "Terminating"',
    ]);
  });
});

describe('Event validation', () => {
  const event = (extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web-1.17a2b', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u' },
    reason: 'Scheduled',
    message: 'Successfully assigned default/web-1 to pi-1',
    type: 'Normal',
    count: 1,
    source: { component: 'default-scheduler' },
    ...extra,
  });

  it('accepts a kubelet-style event', () => expect(messages('Event', event())).toEqual([]));

  it('requires involvedObject in the same namespace', () => {
    expect(messages('Event', event({ involvedObject: undefined }))).toEqual(['involvedObject: Required value']);
    expect(messages('Event', event({ involvedObject: { kind: 'Pod', name: 'x', namespace: 'other' } }))).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
    expect(messages('Event', event({ type: 'Error', count: -1 }))).toEqual([
      'type: Unsupported value: "Error": supported values: "Normal", "Warning"',
      'count: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('holds eventTime events to the events.k8s.io rules', () => {
    expect(messages('Event', event({ eventTime: '2025-01-01T00:00:00.000000Z', reason: 'x'.repeat(129) }))).toEqual([
      'reportingComponent: Required value',
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Too long: may not be more than 128 bytes',
    ]);
  });
});

describe('Lease validation', () => {
  const lease = (spec: Record<string, unknown>) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'pi-1', namespace: 'kube-node-lease' }, spec });

  it('checks durations and times', () => {
    expect(messages('Lease', lease({ holderIdentity: 'pi-1', leaseDurationSeconds: 40, renewTime: '2025-01-01T00:00:00.123456Z' }))).toEqual([]);
    expect(messages('Lease', lease({ leaseDurationSeconds: 0, leaseTransitions: -1, renewTime: 'yesterday' }))).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
      'spec.renewTime: Invalid value: "yesterday": must be an RFC 3339 time such as 2006-01-02T15:04:05.000000Z',
    ]);
  });
});
