import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../shared/api/core.js';
import { pods } from './pods.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function pod(status: Pod['status'], extra: { spec?: Partial<Pod['spec']>; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      creationTimestamp: ago(600),
      ...(extra.deleting ? { deletionTimestamp: ago(5) } : {}),
    },
    spec: { nodeName: 'pi-1', containers: [{ name: 'app', image: 'nginx' }], ...extra.spec },
    status,
  };
}

const running = { running: { startedAt: ago(500) } };
const ready = (name = 'app', restartCount = 0) => ({ name, ready: true, restartCount, state: running });
const two = { containers: [{ name: 'app', image: 'nginx' }, { name: 'log', image: 'fluent' }] };
const inits = (n: number) => ({ initContainers: Array.from({ length: n }, (_, i) => ({ name: `init-${i}`, image: 'busybox' })) });
// sidecar: a restartable init container (restartPolicy Always), a field core.ts does not type.
const sidecar = { name: 'proxy', image: 'envoy', restartPolicy: 'Always' };
const readyCond = [{ type: 'Ready', status: 'True' as const }];

// Each case: name, pod, expected [Ready, Status, Restarts].
const cases: [string, Pod, [string, string, string]][] = [
  ['pending, no statuses yet', pod({ phase: 'Pending' }), ['0/1', 'Pending', '0']],
  ['running and ready', pod({ phase: 'Running', containerStatuses: [ready()] }), ['1/1', 'Running', '0']],
  [
    'one of two containers ready',
    pod(
      { phase: 'Running', containerStatuses: [ready(), { name: 'log', ready: false, restartCount: 0, state: running }] },
      { spec: two },
    ),
    ['1/2', 'Running', '0'],
  ],
  [
    'CrashLoopBackOff with restarts and the last finish time',
    pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(30) } },
        },
      ],
    }),
    ['0/1', 'CrashLoopBackOff', '5 (30s ago)'],
  ],
  [
    'restarts without a finish time print bare',
    pod({ phase: 'Running', containerStatuses: [ready('app', 2)] }),
    ['1/1', 'Running', '2'],
  ],
  [
    'ErrImagePull',
    pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } }] }),
    ['0/1', 'ErrImagePull', '0'],
  ],
  [
    'ImagePullBackOff',
    pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } }] }),
    ['0/1', 'ImagePullBackOff', '0'],
  ],
  [
    'ContainerCreating',
    pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }] }),
    ['0/1', 'ContainerCreating', '0'],
  ],
  [
    'Completed',
    pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
    ['0/1', 'Completed', '0'],
  ],
  [
    'Error',
    pod({ phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 2, reason: 'Error' } } }] }),
    ['0/1', 'Error', '0'],
  ],
  [
    'OOMKilled',
    pod({ phase: 'Running', containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] }),
    ['0/1', 'OOMKilled', '0'],
  ],
  [
    'terminated without a reason: exit code',
    pod({ phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 3 } } }] }),
    ['0/1', 'ExitCode:3', '0'],
  ],
  [
    'terminated without a reason: signal',
    pod({ phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 137, signal: 9 } } }] }),
    ['0/1', 'Signal:9', '0'],
  ],
  [
    'one container Completed while another still runs: Running when the pod is Ready',
    pod(
      {
        phase: 'Running',
        conditions: readyCond,
        containerStatuses: [ready(), { name: 'log', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
      { spec: two },
    ),
    ['1/2', 'Running', '0'],
  ],
  [
    '… and NotReady when it is not',
    pod(
      {
        phase: 'Running',
        containerStatuses: [ready(), { name: 'log', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
      { spec: two },
    ),
    ['1/2', 'NotReady', '0'],
  ],
  [
    'first init container running: Init:0/2',
    pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'init-0', ready: false, state: running },
          { name: 'init-1', ready: false, state: { waiting: { reason: 'PodInitializing' } } },
        ],
        containerStatuses: [{ name: 'app', ready: false, state: { waiting: { reason: 'PodInitializing' } } }],
      },
      { spec: inits(2) },
    ),
    ['0/1', 'Init:0/2', '0'],
  ],
  [
    'first init done, second waiting to start: Init:1/2',
    pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'init-0', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'init-1', ready: false, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
      { spec: inits(2) },
    ),
    ['0/1', 'Init:1/2', '0'],
  ],
  [
    'init container crash-looping, its restarts counted',
    pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'init-0',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(200) } },
          },
        ],
      },
      { spec: inits(1) },
    ),
    ['0/1', 'Init:CrashLoopBackOff', '3 (3m20s ago)'],
  ],
  [
    'init container failed',
    pod(
      { phase: 'Failed', initContainerStatuses: [{ name: 'init-0', ready: false, state: { terminated: { exitCode: 1, reason: 'Error' } } }] },
      { spec: inits(1) },
    ),
    ['0/1', 'Init:Error', '0'],
  ],
  [
    'init container failed without a reason',
    pod(
      { phase: 'Pending', initContainerStatuses: [{ name: 'init-0', ready: false, state: { terminated: { exitCode: 4 } } }] },
      { spec: inits(1) },
    ),
    ['0/1', 'Init:ExitCode:4', '0'],
  ],
  [
    'a started sidecar (restartable init container) counts toward Ready',
    pod(
      {
        phase: 'Running',
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: running }],
        containerStatuses: [ready()],
      },
      { spec: { initContainers: [sidecar] } },
    ),
    ['2/2', 'Running', '1'],
  ],
  ['running pod being deleted: Terminating', pod({ phase: 'Running', containerStatuses: [ready()] }, { deleting: true }), ['1/1', 'Terminating', '0']],
  [
    'finished pod being deleted keeps its status',
    pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }, { deleting: true }),
    ['0/1', 'Completed', '0'],
  ],
  ['pod on a lost node being deleted: Unknown', pod({ phase: 'Running', reason: 'NodeLost', containerStatuses: [ready()] }, { deleting: true }), ['1/1', 'Unknown', '0']],
  ['evicted pod shows the pod reason', pod({ phase: 'Failed', reason: 'Evicted' }), ['0/1', 'Evicted', '0']],
  [
    'scheduling gated',
    pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
    ['0/1', 'SchedulingGated', '0'],
  ],
];

describe('pods table', () => {
  it.each(cases)('%s', (_, p, [readyCol, status, restarts]) => {
    const cells = pods.cells(p, { now: NOW });
    expect(cells.slice(1, 4)).toEqual([readyCol, status, restarts]);
  });

  it('prints name, age and the wide columns', () => {
    const p = pod({ phase: 'Running', podIP: '10.42.0.7', containerStatuses: [ready()] });
    expect(pods.cells(p, { now: NOW })).toEqual(['web-1', '1/1', 'Running', '0', '10m', '10.42.0.7', 'pi-1', '<none>', '<none>']);
  });

  it('prefers podIPs and counts readiness gates', () => {
    const p = pod(
      {
        phase: 'Running',
        podIP: '10.0.0.1',
        podIPs: [{ ip: '10.0.0.9' }],
        nominatedNodeName: 'pi-2',
        conditions: [{ type: 'example.com/lb', status: 'True' }],
      },
      { spec: { nodeName: undefined, readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] } },
    );
    expect(pods.cells(p, { now: NOW }).slice(5)).toEqual(['10.0.0.9', '<none>', 'pi-2', '1/2']);
  });

  it.each([
    ['Succeeded', [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]],
    ['Failed', [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]],
    ['Running', undefined],
  ] as const)('row conditions for phase %s', (phase, want) => {
    expect(pods.conditions?.(pod({ phase }))).toEqual(want);
  });
});
