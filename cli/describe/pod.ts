// pod: `describe pod`, in kubectl's order — identity, node and status, containers, conditions,
// volumes, QoS, scheduling constraints, then events.
import type { Pod } from '../../shared/api/core.js';
import { rfc1123z, since } from '../print/age.js';
import { describeContainers, describeVolumes } from './containers.js';
import { controllerOf, type Describer } from './context.js';
import { describeEvents } from './events.js';
import { orNone } from './writer.js';

export const describePod: Describer = async (obj, w, ctx) => {
  const pod = obj as Pod;
  const { metadata: md, spec, status = {} } = pod;
  w.line(0, `Name:\t${md.name}`);
  w.line(0, `Namespace:\t${md.namespace}`);
  if (spec.priority !== undefined) w.line(0, `Priority:\t${spec.priority}`);
  if (spec.serviceAccountName) w.line(0, `Service Account:\t${spec.serviceAccountName}`);
  w.line(0, `Node:\t${spec.nodeName ? `${spec.nodeName}${status.hostIP ? `/${status.hostIP}` : ''}` : '<none>'}`);
  if (status.startTime) w.line(0, `Start Time:\t${rfc1123z(status.startTime)}`);
  w.labels(0, 'Labels', md.labels);
  w.annotations(0, 'Annotations', md.annotations);
  if (md.deletionTimestamp) {
    w.line(0, `Status:\tTerminating (lasts ${since(md.deletionTimestamp, ctx.now)})`);
    w.line(0, `Termination Grace Period:\t${md.deletionGracePeriodSeconds ?? 0}s`);
  } else {
    w.line(0, `Status:\t${status.phase ?? 'Unknown'}`);
  }
  if (status.reason) w.line(0, `Reason:\t${status.reason}`);
  if (status.message) w.line(0, `Message:\t${status.message}`);
  w.line(0, `IP:\t${status.podIP ?? ''}`);
  const ips: string[] = (status.podIPs ?? []).map((i: { ip: string }) => i.ip);
  if (ips.length) {
    w.line(0, 'IPs:');
    for (const ip of ips) w.line(1, `IP:\t${ip}`);
  } else w.line(0, 'IPs:\t<none>');
  const owner = controllerOf(pod);
  if (owner) w.line(0, `Controlled By:\t${owner}`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, status.initContainerStatuses);
  describeContainers(w, 'Containers', spec.containers ?? [], status.containerStatuses);
  conditions(w, status.conditions);
  describeVolumes(w, 0, spec.volumes);
  w.line(0, `QoS Class:\t${status.qosClass ?? qosClass(pod)}`);
  w.line(0, `Node-Selectors:\t${nodeSelectors(spec.nodeSelector)}`);
  w.list(0, 'Tolerations', (spec.tolerations ?? []).map(tolerationText));
  await describeEvents(pod, w, ctx);
};

function conditions(w: Parameters<Describer>[1], list: { type: string; status: string }[] | undefined): void {
  if (!list?.length) return;
  w.line(0, 'Conditions:');
  // kubectl leaves a space after each cell here; kept so the columns match.
  w.line(1, 'Type\tStatus');
  for (const c of list) w.line(1, `${c.type} \t${c.status} `);
}

function nodeSelectors(sel: Record<string, string> | undefined): string {
  return orNone(
    Object.entries(sel ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );
}

/** tolerationText: "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s". */
export function tolerationText(t: { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }): string {
  let s = t.key ?? '';
  if (t.value) s += `=${t.value}`;
  if (t.effect) s += `:${t.effect}`;
  if (t.operator === 'Exists' && !t.value) s += `${s ? ' ' : ''}op=Exists`;
  if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
  return s;
}

// qosClass: Guaranteed when every container's requests equal its cpu and memory limits,
// BestEffort with no requests or limits at all, else Burstable.
function qosClass(pod: Pod): string {
  const cs = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => {
    const lim = c.resources?.limits ?? {};
    const req = { ...lim, ...(c.resources?.requests ?? {}) };
    return lim.cpu && lim.memory && req.cpu === lim.cpu && req.memory === lim.memory;
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
