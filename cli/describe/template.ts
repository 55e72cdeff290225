// template: "Pod Template:" as describe deployment and rollout history --revision print it.
import type { PodTemplateSpec } from '../../shared/api/core.js';
import { tolerationText } from './pod.js';
import { describeContainers, describeVolumes } from './containers.js';
import type { DescribeWriter } from './writer.js';

export function describePodTemplate(w: DescribeWriter, template: PodTemplateSpec | undefined): void {
  w.line(0, 'Pod Template:');
  const md = template?.metadata ?? {};
  const spec = template?.spec ?? { containers: [] };
  w.labels(1, 'Labels', md.labels);
  if (Object.keys(md.annotations ?? {}).length) w.annotations(1, 'Annotations', md.annotations);
  if (spec.serviceAccountName) w.line(1, `Service Account:\t${spec.serviceAccountName}`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, undefined, true);
  describeContainers(w, 'Containers', spec.containers ?? [], undefined, true);
  describeVolumes(w, 1, spec.volumes);
  const sel = Object.entries(spec.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`);
  w.line(1, `Node-Selectors:\t${sel.length ? sel.join(',') : '<none>'}`);
  w.list(1, 'Tolerations', (spec.tolerations ?? []).map(tolerationText));
}
