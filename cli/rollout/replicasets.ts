// replicasets: a Deployment's ReplicaSets, found as kubectl finds them — listed by the
// Deployment's selector, kept if their controller ownerReference is this Deployment — and
// told apart: the new one has the Deployment's pod template (ignoring pod-template-hash).
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../shared/api/core.js';
import { deepEqual } from '../apply/three-way.js';
import type { ApiClient } from '../client.js';
import { selectorText } from '../describe/context.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const HASH_LABEL = 'pod-template-hash';

export async function ownedReplicaSets(client: ApiClient, d: Deployment): Promise<ReplicaSet[]> {
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(d.metadata.namespace ?? 'default')}/replicasets`;
  const list = await client.get<{ items?: ReplicaSet[] }>(path, { query: { labelSelector: selectorText(d.spec?.selector) || undefined } });
  return (list.items ?? []).filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid));
}

/** splitReplicaSets: the new ReplicaSet (the oldest one whose template matches) and the others. */
export function splitReplicaSets(d: Deployment, all: ReplicaSet[]): { current?: ReplicaSet; old: ReplicaSet[] } {
  const byAge = [...all].sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')));
  const current = byAge.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
  return { current, old: byAge.filter((rs) => rs !== current) };
}

export function revisionOf(rs: { metadata: { annotations?: Record<string, string> } }): number | undefined {
  const v = rs.metadata.annotations?.[REVISION];
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** withoutHash is a copy of the template without the pod-template-hash label. */
export function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = structuredClone(t ?? { spec: { containers: [] } });
  if (copy.metadata?.labels) delete copy.metadata.labels[HASH_LABEL];
  return copy;
}

export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return deepEqual(prune(withoutHash(a)), prune(withoutHash(b)));
}

// prune drops nulls and empty maps and lists, which Go's semantic equality treats as unset.
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      const empty = p === null || p === undefined || (typeof p === 'object' && Object.keys(p as object).length === 0);
      if (!empty) out[k] = p;
    }
    return out;
  }
  return v;
}
