import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import type { ApiClient } from '../client.js';
import { describeOne } from '../commands/describe.js';

// client answers describe's side requests: events for anything, no ReplicaSets.
const client = (events: unknown[] = []) =>
  ({
    async get(path: string) {
      return path.endsWith('/events') ? { items: events } : { items: [] };
    },
  }) as unknown as ApiClient;

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'default',
    uid: 'u1',
    labels: { app: 'web', 'pod-template-hash': 'abc' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'r', controller: true }],
  },
  spec: { nodeName: 'pi-1', containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
  status: {
    phase: 'Running',
    hostIP: '192.168.1.10',
    podIP: '10.42.0.5',
    podIPs: [{ ip: '10.42.0.5' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'nginx', ready: true, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
  },
};

describe('describe', () => {
  it('lays a pod out like kubectl', async () => {
    const text = await describeOne(pod, client());
    // "IPs:" has no value cell, so it ends the first column block, exactly as in kubectl's output.
    expect(text).toContain('Name:         web-1\nNamespace:    default\nNode:         pi-1/192.168.1.10\n');
    expect(text).toContain('Labels:       app=web\n              pod-template-hash=abc\nAnnotations:  <none>\nStatus:       Running\n');
    expect(text).toContain('IPs:\n  IP:           10.42.0.5\nControlled By:  ReplicaSet/web-abc\nContainers:\n  nginx:\n');
    expect(text).toContain('    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Ready:          True\n    Restart Count:  2\n');
    // Conditions and the lines after it form one column block, as in kubectl.
    expect(text).toContain('Conditions:\n  Type           Status\n  Ready          True \nVolumes:         <none>\nQoS Class:       BestEffort\n');
    expect(text.endsWith('Events:          <none>\n')).toBe(true);
  });

  it('prints events oldest first with repeat counts', async () => {
    const now = Date.now();
    const at = (s: number) => new Date(now - s * 1000).toISOString();
    const events = [
      { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting', source: { component: 'kubelet' }, firstTimestamp: at(300), lastTimestamp: at(10), count: 4 },
      { type: 'Normal', reason: 'Scheduled', message: 'Assigned', source: { component: 'default-scheduler' }, firstTimestamp: at(400), lastTimestamp: at(400), count: 1 },
    ];
    const text = await describeOne(pod, client(events));
    expect(text).toContain(
      'Events:\n  Type     Reason     Age               From               Message\n  ----     ------     ----              ----               -------\n' +
        '  Normal   Scheduled  6m40s             default-scheduler  Assigned\n' +
        '  Warning  BackOff    10s (x4 over 5m)  kubelet            Back-off restarting\n',
    );
  });

  it('falls back to YAML for kinds without a describer', async () => {
    const text = await describeOne({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } }, client());
    expect(text).toContain('Data:\n  a: "1"\n');
  });
});
