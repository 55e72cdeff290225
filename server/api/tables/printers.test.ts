import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/api/meta.js';
import { formatEndpoints } from './endpoints.js';
import { printerFor } from './index.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: ago(3 * 86400 + 4 * 3600), ...extra });
const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }] } };

// Each case: resource, object, expected cells (wide columns included).
const cases: [string, string, KubeObject, unknown[]][] = [
  [
    'deployments',
    'rolling out',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { replicas: 3, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 1 },
    },
    ['web', '2/3', 2, 1, '3d4h', 'nginx,sidecar', 'nginx:1.27,busybox', 'app=web'],
  ],
  [
    'deployments',
    'new, no status, replicas defaulted',
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('api'), spec: { selector: {}, template } },
    ['api', '0/1', 0, 0, '3d4h', 'nginx,sidecar', 'nginx:1.27,busybox', ''],
  ],
  [
    'replicasets',
    'scaled',
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('web-7ba6'),
      spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7ba6' } }, template },
      status: { replicas: 2, readyReplicas: 1 },
    },
    ['web-7ba6', 2, 2, 1, '3d4h', 'nginx,sidecar', 'nginx:1.27,busybox', 'app=web,pod-template-hash=7ba6'],
  ],
  [
    'nodes',
    'ready control plane',
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta('pi-1', { namespace: undefined, labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': 'true' } }),
      spec: {},
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
        addresses: [
          { type: 'Hostname', address: 'pi-1' },
          { type: 'InternalIP', address: '192.168.1.10' },
        ],
        nodeInfo: { kubeletVersion: 'v1.32.0-bramble', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.6.31+rpt-rpi-v8', containerRuntimeVersion: 'docker://26.1.5' },
      },
    },
    ['pi-1', 'Ready', 'control-plane,master', '3d4h', 'v1.32.0-bramble', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.6.31+rpt-rpi-v8', 'docker://26.1.5'],
  ],
  [
    'nodes',
    'not ready and cordoned, old role label',
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta('pi-2', { labels: { 'kubernetes.io/role': 'edge' } }),
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }], addresses: [{ type: 'ExternalIP', address: '203.0.113.5' }] },
    },
    ['pi-2', 'NotReady,SchedulingDisabled', 'edge', '3d4h', '', '<none>', '203.0.113.5', '<unknown>', '<unknown>', '<unknown>'],
  ],
  [
    'nodes',
    'never reported',
    { apiVersion: 'v1', kind: 'Node', metadata: meta('pi-3'), spec: {} },
    ['pi-3', 'Unknown', '<none>', '3d4h', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  ],
  [
    'services',
    'ClusterIP',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web'),
      spec: { type: 'ClusterIP', clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web' } },
    },
    ['web', 'ClusterIP', '10.43.0.10', '<none>', '80/TCP,53/UDP', '3d4h', 'app=web'],
  ],
  [
    'services',
    'NodePort, no selector',
    { apiVersion: 'v1', kind: 'Service', metadata: meta('np'), spec: { type: 'NodePort', clusterIP: '10.43.0.11', ports: [{ port: 80, nodePort: 30080 }] } },
    ['np', 'NodePort', '10.43.0.11', '<none>', '80:30080/TCP', '3d4h', '<none>'],
  ],
  [
    'services',
    'LoadBalancer waiting for an address',
    { apiVersion: 'v1', kind: 'Service', metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIP: '10.43.0.12', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] } },
    ['lb', 'LoadBalancer', '10.43.0.12', '<pending>', '443:31443/TCP', '3d4h', '<none>'],
  ],
  [
    'services',
    'LoadBalancer with ingress',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('lb2'),
      spec: { type: 'LoadBalancer', clusterIP: '10.43.0.13', ports: [{ port: 80, nodePort: 30001 }] },
      status: { loadBalancer: { ingress: [{ ip: '192.168.1.21' }, { ip: '192.168.1.20' }] } },
    },
    ['lb2', 'LoadBalancer', '10.43.0.13', '192.168.1.20,192.168.1.21', '80:30001/TCP', '3d4h', '<none>'],
  ],
  [
    'services',
    'headless without ports',
    { apiVersion: 'v1', kind: 'Service', metadata: meta('db'), spec: { clusterIP: 'None', selector: { app: 'db' } } },
    ['db', 'ClusterIP', 'None', '<none>', '<none>', '3d4h', 'app=db'],
  ],
  [
    'services',
    'ExternalName',
    { apiVersion: 'v1', kind: 'Service', metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'example.com' } },
    ['ext', 'ExternalName', '<none>', 'example.com', '<none>', '3d4h', '<none>'],
  ],
  ['namespaces', 'active', { apiVersion: 'v1', kind: 'Namespace', metadata: meta('default'), status: { phase: 'Active' } }, ['default', 'Active', '3d4h']],
  ['namespaces', 'terminating', { apiVersion: 'v1', kind: 'Namespace', metadata: meta('old'), status: { phase: 'Terminating' } }, ['old', 'Terminating', '3d4h']],
  ['namespaces', 'no status yet', { apiVersion: 'v1', kind: 'Namespace', metadata: meta('new') }, ['new', 'Active', '3d4h']],
  [
    'events',
    'repeated warning',
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('web-1.17c2a'),
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container app in pod web-1_default(uid)\n',
      type: 'Warning',
      count: 7,
      firstTimestamp: ago(600),
      lastTimestamp: ago(5),
      source: { component: 'kubelet', host: 'pi-1' },
    },
    ['5s', 'Warning', 'BackOff', 'pod/web-1', 'spec.containers{app}', 'kubelet, pi-1', 'Back-off restarting failed container app in pod web-1_default(uid)', '10m', 7, 'web-1.17c2a'],
  ],
  [
    'events',
    'new-style singleton event',
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('web.1'),
      involvedObject: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set web-7ba6 to 3',
      type: 'Normal',
      eventTime: ago(90),
      reportingComponent: 'deployment-controller',
      firstTimestamp: null,
      lastTimestamp: null,
    },
    ['90s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up replica set web-7ba6 to 3', '90s', 1, 'web.1'],
  ],
  [
    'events',
    'series event about a cluster-scoped kind without name',
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('x.2'),
      involvedObject: { kind: 'Node' },
      reason: 'Rebooted',
      type: 'Warning',
      eventTime: ago(4000),
      series: { count: 4, lastObservedTime: ago(20) },
    },
    ['20s', 'Warning', 'Rebooted', 'node', '', '', '', '66m', 4, 'x.2'],
  ],
  [
    'configmaps',
    'data and binaryData',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } },
    ['cfg', 3, '3d4h'],
  ],
  ['configmaps', 'empty', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('empty') }, ['empty', 0, '3d4h']],
  [
    'secrets',
    'tls',
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } },
    ['tls', 'kubernetes.io/tls', 2, '3d4h'],
  ],
  ['secrets', 'opaque by default', { apiVersion: 'v1', kind: 'Secret', metadata: meta('s'), stringData: { password: 'p' } }, ['s', 'Opaque', 1, '3d4h']],
  [
    'endpoints',
    'two addresses',
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('web'),
      subsets: [{ addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.1.7' }], ports: [{ name: 'http', port: 80 }] }],
    },
    ['web', '10.42.0.5:80,10.42.1.7:80', '3d4h'],
  ],
  ['endpoints', 'none ready', { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web') }, ['web', '<none>', '3d4h']],
  [
    'leases',
    'held',
    { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('pi-1', { namespace: 'kube-node-lease' }), spec: { holderIdentity: 'pi-1', leaseDurationSeconds: 40 } },
    ['pi-1', 'pi-1', '3d4h'],
  ],
  ['leases', 'free', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('sched'), spec: {} }, ['sched', '', '3d4h']],
  [
    'statefulsets',
    'a kind without a printer gets Name and Created At',
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db', { creationTimestamp: '2025-05-01T08:09:10.123Z' }) },
    ['db', '2025-05-01T08:09:10Z'],
  ],
];

describe('table printers', () => {
  it.each(cases)('%s: %s', (resource, _, obj, want) => {
    const printer = printerFor(resource);
    const cells = printer.cells(obj, { now: NOW });
    expect(cells).toEqual(want);
    expect(cells).toHaveLength(printer.columns.length);
  });
});

describe('formatEndpoints', () => {
  it.each([
    [[{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }], '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...'],
    [[{ addresses: [{ ip: 'fd00::5' }], ports: [{ port: 8080 }] }], '[fd00::5]:8080'],
    [[{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }], '10.0.0.1,10.0.0.2'],
    [[{ addresses: [1, 2, 3, 4, 5].map((i) => ({ ip: `10.0.0.${i}` })), ports: [{ port: 80 }] }], '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...'],
    [[{ ports: [{ port: 80 }] }], ''],
  ])('%j → %s', (subsets, want) => {
    expect(formatEndpoints(subsets)).toBe(want);
  });
});
