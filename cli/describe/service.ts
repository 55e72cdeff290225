// service: `describe service` — type, addresses, each port with its target and node port, and
// the endpoints behind it.
import type { KubeObject } from '../../shared/api/meta.js';
import { getOrUndefined } from '../commands/shared.js';
import type { Describer } from './context.js';
import { describeEvents } from './events.js';
import { orNone } from './writer.js';

export const describeService: Describer = async (obj, w, ctx) => {
  const { metadata: md, spec = {}, status = {} } = obj;
  w.line(0, `Name:\t${md.name}`);
  w.line(0, `Namespace:\t${md.namespace}`);
  w.labels(0, 'Labels', md.labels);
  w.annotations(0, 'Annotations', md.annotations);
  w.line(0, `Selector:\t${orNone(Object.keys(spec.selector ?? {}).sort().map((k) => `${k}=${spec.selector[k]}`).join(','))}`);
  w.line(0, `Type:\t${spec.type ?? 'ClusterIP'}`);
  if (spec.ipFamilyPolicy) w.line(0, `IP Family Policy:\t${spec.ipFamilyPolicy}`);
  if (spec.ipFamilies?.length) w.line(0, `IP Families:\t${spec.ipFamilies.join(',')}`);
  w.line(0, `IP:\t${spec.clusterIP ?? ''}`);
  if (spec.clusterIPs?.length) w.line(0, `IPs:\t${spec.clusterIPs.join(',')}`);
  if (spec.externalIPs?.length) w.line(0, `External IPs:\t${spec.externalIPs.join(',')}`);
  const ingress = (status.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname);
  if (ingress.length) w.line(0, `LoadBalancer Ingress:\t${ingress.join(', ')}`);
  const endpoints = md.namespace ? await getOrUndefined<KubeObject>(ctx.client, `/api/v1/namespaces/${encodeURIComponent(md.namespace)}/endpoints/${encodeURIComponent(md.name!)}`) : undefined;
  for (const p of spec.ports ?? []) {
    const proto = p.protocol ?? 'TCP';
    w.line(0, `Port:\t${p.name || '<unset>'}\t${p.port}/${proto}`);
    w.line(0, `TargetPort:\t${p.targetPort ?? p.port}/${proto}`);
    if (p.nodePort) w.line(0, `NodePort:\t${p.name || '<unset>'}\t${p.nodePort}/${proto}`);
    w.line(0, `Endpoints:\t${endpointsFor(endpoints, p.name)}`);
  }
  w.line(0, `Session Affinity:\t${spec.sessionAffinity ?? 'None'}`);
  if (spec.externalTrafficPolicy) w.line(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}`);
  await describeEvents(obj, w, ctx);
};

// endpointsFor lists ready addresses with the port of the same name: "10.42.0.5:80,10.42.1.7:80".
function endpointsFor(ep: KubeObject | undefined, portName: string | undefined): string {
  const out: string[] = [];
  for (const subset of ep?.subsets ?? []) {
    const port = (subset.ports ?? []).find((p: any) => (p.name ?? '') === (portName ?? '')) ?? (subset.ports?.length === 1 ? subset.ports[0] : undefined);
    if (!port) continue;
    for (const a of subset.addresses ?? []) out.push(`${a.ip}:${port.port}`);
  }
  return out.length ? out.join(',') : '<none>';
}
