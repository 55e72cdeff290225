// deployment: `describe deployment` — replicas at a glance, strategy, the pod template,
// conditions, and which ReplicaSets are old and new (found like kubectl: by the selector, then
// by controller ownerReference, the new one being the one whose template matches).
import type { Deployment, ReplicaSet } from '../../shared/api/core.js';
import { rfc1123z } from '../print/age.js';
import { type Describer, selectorText } from './context.js';
import { describeEvents } from './events.js';
import { ownedReplicaSets, splitReplicaSets } from '../rollout/replicasets.js';
import { describePodTemplate } from './template.js';

export const describeDeployment: Describer = async (obj, w, ctx) => {
  const d = obj as Deployment;
  const { metadata: md, spec, status = {} } = d;
  w.line(0, `Name:\t${md.name}`);
  w.line(0, `Namespace:\t${md.namespace}`);
  w.line(0, `CreationTimestamp:\t${rfc1123z(md.creationTimestamp)}`);
  w.labels(0, 'Labels', md.labels);
  w.annotations(0, 'Annotations', md.annotations);
  w.line(0, `Selector:\t${selectorText(spec.selector)}`);
  w.line(
    0,
    `Replicas:\t${spec.replicas ?? 1} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable`,
  );
  const strategy = spec.strategy?.type ?? 'RollingUpdate';
  w.line(0, `StrategyType:\t${strategy}`);
  w.line(0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}`);
  if (strategy === 'RollingUpdate') {
    const ru = spec.strategy?.rollingUpdate ?? {};
    w.line(0, `RollingUpdateStrategy:\t${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge`);
  }
  describePodTemplate(w, spec.template);
  if (status.conditions?.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type\tStatus\tReason');
    w.line(1, '----\t------\t------');
    for (const c of status.conditions) w.line(1, `${c.type} \t${c.status}\t${c.reason ?? ''}`);
  }
  const { old, current } = splitReplicaSets(d, await ownedReplicaSets(ctx.client, d).catch(() => []));
  const rsText = (rs: ReplicaSet) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`;
  // Like kubectl, only old ReplicaSets that still have pods are listed.
  const oldWithPods = old.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
  w.line(0, `OldReplicaSets:\t${oldWithPods.length ? oldWithPods.map(rsText).join(', ') : '<none>'}`);
  w.line(0, `NewReplicaSet:\t${current ? rsText(current) : '<none>'}`);
  await describeEvents(d, w, ctx);
};
