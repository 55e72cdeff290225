// undo: `rollout undo`, as kubectl does it. Among the Deployment's ReplicaSets take the one with
// the second-highest revision (or --to-revision), and JSON-patch its pod template (without
// pod-template-hash) back into the Deployment, with the ReplicaSet's annotations; the controller
// then rolls forward to it as a new revision.
import type { Deployment, ReplicaSet } from '../../shared/api/core.js';
import { type ApiClient, JSON_PATCH } from '../client.js';
import { CliError } from '../errors.js';
import { LAST_APPLIED } from '../apply/last-applied.js';
import { equalIgnoreHash, ownedReplicaSets, REVISION, revisionOf, withoutHash } from './replicasets.js';

// ANNOTATIONS_TO_SKIP stay as the Deployment has them rather than being copied from the ReplicaSet.
const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED,
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** rollbackTarget picks the ReplicaSet to go back to: the given revision, or the previous one. */
export function rollbackTarget(name: string, all: ReplicaSet[], toRevision: number): ReplicaSet {
  const withRev = all.flatMap((rs) => {
    const rev = revisionOf(rs);
    return rev === undefined ? [] : [{ rs, rev }];
  });
  if (toRevision > 0) {
    const hit = withRev.find((x) => x.rev === toRevision);
    if (!hit) throw new CliError(`unable to find specified revision ${toRevision} in history`);
    return hit.rs;
  }
  const sorted = withRev.sort((a, b) => b.rev - a.rev);
  if (sorted.length < 2) throw new CliError(`no rollout history found for deployment "${name}"`);
  return sorted[1].rs;
}

/** rollbackPatch is kubectl's JSON patch: replace the template, replace the annotations. */
export function rollbackPatch(d: Deployment, rs: ReplicaSet): unknown[] {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  // "replace" needs the member to exist; "add" does the same to a Deployment without annotations.
  const op = d.metadata.annotations ? 'replace' : 'add';
  return [
    { op: 'replace', path: '/spec/template', value: withoutHash(rs.spec?.template) },
    { op, path: '/metadata/annotations', value: annotations },
  ];
}

/** rolloutUndo returns what happened: "rolled back" or "skipped rollback (…)". */
export async function rolloutUndo(client: ApiClient, path: string, toRevision: number): Promise<string> {
  const d = await client.get<Deployment>(path);
  if (d.spec?.paused) throw new CliError("you cannot rollback a paused deployment; resume it first with 'bramble rollout resume' and try again");
  const target = rollbackTarget(d.metadata.name!, await ownedReplicaSets(client, d), toRevision);
  if (equalIgnoreHash(target.spec?.template, d.spec?.template)) {
    return `skipped rollback (current template already matches revision ${revisionOf(target)})`;
  }
  await client.patch(path, rollbackPatch(d, target), JSON_PATCH);
  return 'rolled back';
}
