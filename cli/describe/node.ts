// node: `describe node` — roles, taints, conditions, addresses, capacity, system info and the
// pods running there.
import type { Node } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { rfc1123z, since } from '../print/age.js';
import type { Describer } from './context.js';
import { describeEvents } from './events.js';
import type { DescribeWriter } from './writer.js';

const SYSTEM_INFO: [string, string][] = [
  ['machineID', 'Machine ID'],
  ['systemUUID', 'System UUID'],
  ['bootID', 'Boot ID'],
  ['kernelVersion', 'Kernel Version'],
  ['osImage', 'OS Image'],
  ['operatingSystem', 'Operating System'],
  ['architecture', 'Architecture'],
  ['containerRuntimeVersion', 'Container Runtime Version'],
  ['kubeletVersion', 'Kubelet Version'],
  ['kubeProxyVersion', 'Kube-Proxy Version'],
];

export const describeNode: Describer = async (obj, w, ctx) => {
  const node = obj as Node;
  const { metadata: md, spec = {}, status = {} } = node;
  w.line(0, `Name:\t${md.name}`);
  w.line(0, `Roles:\t${roles(md.labels)}`);
  w.labels(0, 'Labels', md.labels);
  w.annotations(0, 'Annotations', md.annotations);
  w.line(0, `CreationTimestamp:\t${rfc1123z(md.creationTimestamp)}`);
  w.list(0, 'Taints', (spec.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`));
  w.line(0, `Unschedulable:\t${Boolean(spec.unschedulable)}`);
  if (status.conditions?.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage');
    w.line(1, '----\t------\t-----------------\t------------------\t------\t-------');
    for (const c of status.conditions) {
      w.line(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}`);
    }
  }
  w.line(0, 'Addresses:');
  for (const a of status.addresses ?? []) w.line(1, `${a.type}:\t${a.address}`);
  resourceList(w, 'Capacity', status.capacity);
  resourceList(w, 'Allocatable', status.allocatable);
  w.line(0, 'System Info:');
  for (const [key, title] of SYSTEM_INFO) w.line(1, `${title}:\t${status.nodeInfo?.[key] ?? ''}`);
  if (spec.podCIDR) w.line(0, `PodCIDR:\t${spec.podCIDR}`);
  await podsOnNode(node, w, ctx);
  await describeEvents(node, w, ctx);
};

// roles come from node-role.kubernetes.io/<role> labels, as kubectl reads them.
function roles(labels: Record<string, string> | undefined): string {
  const r = Object.keys(labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean)
    .sort();
  return r.length ? r.join(',') : '<none>';
}

function resourceList(w: DescribeWriter, title: string, list: Record<string, string> | undefined): void {
  if (!list) return;
  w.line(0, `${title}:`);
  for (const k of Object.keys(list).sort()) w.line(1, `${k}:\t${list[k]}`);
}

async function podsOnNode(node: Node, w: DescribeWriter, ctx: Parameters<Describer>[2]): Promise<void> {
  let pods: KubeObject[];
  try {
    const list = await ctx.client.get('/api/v1/pods', { query: { fieldSelector: `spec.nodeName=${node.metadata.name}` } });
    pods = (list?.items ?? []).filter((p: KubeObject) => !['Succeeded', 'Failed'].includes(p.status?.phase));
  } catch {
    return; // a server without that field selector: leave the section out
  }
  w.line(0, `Non-terminated Pods:\t(${pods.length} in total)`);
  if (!pods.length) return;
  w.line(1, 'Namespace\tName\tCPU Requests\tMemory Requests\tAge');
  w.line(1, '---------\t----\t------------\t---------------\t---');
  for (const p of pods) {
    const req = (r: string) => (p.spec?.containers ?? []).map((c: any) => c.resources?.requests?.[r]).filter(Boolean).join('+') || '0';
    w.line(1, `${p.metadata.namespace}\t${p.metadata.name}\t${req('cpu')}\t${req('memory')}\t${since(p.metadata.creationTimestamp, ctx.now)}`);
  }
}
