// fake-kubelet: a stand-in node for API-level tests, speaking plain HTTP to the API: it registers
// a Ready node, renews its Lease, reports every pod bound to it as Running and Ready, and
// finishes graceful deletions. Real agents replace it in the end-to-end tiers.
import type { Api } from './api.js';

export interface FakeKubelet {
  stop(): Promise<void>;
}

export async function startFakeKubelet(api: Api, nodeName: string, opts: { cpu?: string; memory?: string } = {}): Promise<FakeKubelet> {
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'arm64' } },
    spec: {},
  };
  const created = await api.call('POST', '/api/v1/nodes', node);
  if (created.status !== 201 && created.status !== 409) throw new Error(`node create: ${created.text}`);
  const capacity = { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: '110' };
  const status = () => ({
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'fake kubelet is ready', lastHeartbeatTime: now(), lastTransitionTime: now() }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: nodeName }],
      nodeInfo: { kubeletVersion: 'v1.31.0-fake', osImage: 'fake', kernelVersion: 'fake', containerRuntimeVersion: 'fake://1', architecture: 'arm64', operatingSystem: 'linux' },
    },
  });
  const patch = (path: string, body: unknown) => api.call('PATCH', path, body, { 'content-type': 'application/merge-patch+json' });
  await patch(`/api/v1/nodes/${nodeName}/status`, status());
  const lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: nodeName, namespace: 'kube-node-lease' },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: new Date().toISOString() },
  };
  await api.call('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease);
  const renew = setInterval(() => {
    void patch(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`, { spec: { renewTime: new Date().toISOString() } }).catch(() => {});
    void patch(`/api/v1/nodes/${nodeName}/status`, status()).catch(() => {});
  }, 1000);

  let ip = 1;
  const ips = new Map<string, string>();
  const reported = new Set<string>();
  const watch = api.stream(`/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3D${nodeName}`, (line) => {
    const { type, object: pod } = JSON.parse(line);
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (type === 'DELETED') {
      reported.delete(key);
      return;
    }
    const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
    if (pod.metadata.deletionTimestamp) {
      void api.call('DELETE', path, { gracePeriodSeconds: 0 }).catch(() => {});
      return;
    }
    if (reported.has(key)) return;
    reported.add(key);
    if (!ips.has(key)) ips.set(key, `10.42.0.${ip++}`);
    const t = now();
    void patch(`${path}/status`, {
      status: {
        phase: 'Running',
        podIP: ips.get(key),
        hostIP: '127.0.0.1',
        startTime: t,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
          { type: 'Initialized', status: 'True', lastTransitionTime: t },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: t },
          { type: 'Ready', status: 'True', lastTransitionTime: t },
        ],
        containerStatuses: pod.spec.containers.map((c: any) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: t } },
        })),
      },
    }).catch(() => {});
  });
  return {
    async stop() {
      clearInterval(renew);
      watch.close();
      await watch.done.catch(() => {});
    },
  };
}
