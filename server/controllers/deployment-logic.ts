// deployment-logic: the pure half of the Deployment controller, a port of Kubernetes'
// pkg/controller/deployment (sync.go, rolling.go, recreate.go, progress.go, util). planDeployment
// takes one snapshot — the Deployment, its ReplicaSets, their pods — and returns what to write:
// ReplicaSets to create, scale or delete, the Deployment's revision annotation and its status.
//
// One sync, as in Kubernetes:
//   deleting?  → status only
//   paused?    → scale only (+ history cleanup)
//   scaling?   → scale only        (an active RS's desired-replicas ≠ spec.replicas)
//   otherwise  → Recreate:      scale old RSs to 0 → wait for old pods to go → create/scale new RS
//                RollingUpdate: scale new RS up within maxSurge, else old RSs down within
//                               maxUnavailable (unhealthy old replicas first)
//              → progress conditions, then status.
// The planner works on private copies and records each write as an Action, so later steps see
// the effect of earlier ones exactly as Kubernetes' sequential API calls would.
import type { Deployment, Pod, ReplicaSet } from '../../shared/api/core.js';
import type { Condition, KubeObject } from '../../shared/api/meta.js';
import { rfc3339 } from '../../shared/clock.js';
import { matchLabelSelector } from '../../shared/selectors.js';
import { POD_TEMPLATE_HASH, podTemplateHash, stableStringify, templatesEqualIgnoringHash } from './pod-template-hash.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';

// Annotations a Deployment keeps to itself (Kubernetes' annotationsToSkip).
const SKIP_COPY = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);
const MAX_REVISION_HISTORY_CHARS = 2000;
const NO_DEADLINE = 2147483647;

// Condition reasons, as Kubernetes' deployment util.
export const Reason = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export type DeploymentStatus = NonNullable<Deployment['status']>;

export type Action =
  | { kind: 'createReplicaSet'; rs: ReplicaSet; events: string[] }
  | { kind: 'updateReplicaSet'; rs: ReplicaSet; events: string[] }
  | { kind: 'deleteReplicaSet'; rs: ReplicaSet }
  | { kind: 'setRevision'; revision: string };

export interface PlanInput {
  deployment: Deployment;
  /** replicaSets: the ReplicaSets this Deployment controls. */
  replicaSets: ReplicaSet[];
  /** podsByReplicaSet: pods by controlling RS uid; only Recreate needs them. */
  podsByReplicaSet?: Map<string, KubeObject[]>;
  now: number;
  /** nameTaken: whether any ReplicaSet of that name exists in the namespace (hash collisions). */
  nameTaken(name: string): boolean;
}

export interface Plan {
  actions: Action[];
  /** status: the new status, when it differs from the current one. */
  status?: DeploymentStatus;
  /** requeueAfterMs: when to look again for a progress deadline. */
  requeueAfterMs?: number;
}

export function planDeployment(input: PlanInput): Plan {
  return new Planner(input).run();
}

// ---- numbers ----

export function replicasOf(o: { spec?: { replicas?: number } } | undefined): number {
  return o?.spec?.replicas ?? 1;
}

/** scaledValue resolves an int-or-percent against total (percent rounded up or down). */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number.isInteger(Number(v)) ? Number(v) : 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function isRollingUpdate(d: Deployment): boolean {
  return d.spec.strategy?.type !== 'Recreate';
}

/** resolveFenceposts: maxSurge rounds up, maxUnavailable down; both 0 → unavailable 1. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec.strategy?.rollingUpdate;
  const desired = replicasOf(d);
  const surge = scaledValue(ru ? ru.maxSurge : '25%', desired, true);
  let unavailable = scaledValue(ru ? ru.maxUnavailable : '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicasOf(d));
}

const sum = (rss: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number | undefined) => rss.reduce((n, rs) => n + (rs ? (f(rs) ?? 0) : 0), 0);
const specReplicas = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => replicasOf(rs));
const isActive = (rs: ReplicaSet | undefined): rs is ReplicaSet => !!rs && replicasOf(rs) > 0;

function intAnnotation(o: KubeObject, key: string): number | undefined {
  const v = o.metadata.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

export function revisionOf(rs: KubeObject): number {
  return intAnnotation(rs, REVISION) ?? 0;
}

export function maxRevision(rss: KubeObject[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** findNewReplicaSet: the oldest RS whose template equals the Deployment's (hash label aside). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => templatesEqualIgnoringHash(rs.spec.template, d.spec.template));
}

/** newRSNewReplicas: the size the new RS may grow to now (Kubernetes' NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const maxTotal = replicasOf(d) + maxSurge(d);
  const current = specReplicas(all);
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
}

// ---- annotations ----

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), [DESIRED_REPLICAS]: String(desired), [MAX_REPLICAS]: String(max) };
  return true;
}

/**
 * setNewReplicaSetAnnotations copies the Deployment's annotations (change-cause and the like) and
 * raises the RS's revision to newRevision when it is lower — which is what makes `rollout undo`
 * give the reused RS the next revision. The replaced revision goes to revision-history.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  rs.metadata.annotations ??= {};
  const a = rs.metadata.annotations;
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIP_COPY.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = a[REVISION];
  const old = had === undefined || had === '' ? 0 : /^-?\d+$/.test(had) ? Number(had) : undefined;
  if (old === undefined) return changed;
  if (old < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (had !== undefined && had !== '') appendRevisionHistory(a, had);
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

function appendRevisionHistory(a: Record<string, string>, oldRevision: string): void {
  const history = a[REVISION_HISTORY] ? a[REVISION_HISTORY].split(',') : [];
  history.push(oldRevision);
  while (history.join(',').length > MAX_REVISION_HISTORY_CHARS) history.shift();
  a[REVISION_HISTORY] = history.join(',');
}

/** newReplicaSetFor builds the RS for the Deployment's current template, named <deploy>-<hash>. */
export function newReplicaSetFor(d: Deployment, hash: string): ReplicaSet {
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
}

/** claimReplicaSets: orphans the Deployment may adopt, and owned RSs it must release. */
export function claimReplicaSets(d: Deployment, all: ReplicaSet[]): { owned: ReplicaSet[]; adopt: ReplicaSet[]; release: ReplicaSet[] } {
  const uid = d.metadata.uid;
  const sel = d.spec.selector;
  const matches = (rs: ReplicaSet) => !!sel && !selectorIsEmpty(sel) && matchLabelSelector(sel, rs.metadata.labels ?? {});
  const owned: ReplicaSet[] = [];
  const adopt: ReplicaSet[] = [];
  const release: ReplicaSet[] = [];
  for (const rs of all) {
    const ref = rs.metadata.ownerReferences?.find((r) => r.controller);
    if (ref?.uid === uid) {
      if (matches(rs) || rs.metadata.deletionTimestamp) owned.push(rs);
      else release.push(rs);
    } else if (!ref && matches(rs) && !rs.metadata.deletionTimestamp && !d.metadata.deletionTimestamp) {
      adopt.push(rs);
    }
  }
  return { owned, adopt, release };
}

export function selectorIsEmpty(sel: Deployment['spec']['selector']): boolean {
  return Object.keys(sel?.matchLabels ?? {}).length === 0 && (sel?.matchExpressions?.length ?? 0) === 0;
}

// ---- conditions and status ----

export function getCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (!status.conditions.length) delete status.conditions;
}

/** setCondition as Kubernetes: same status and reason → unchanged; same status → keep transition time. */
export function setCondition(status: DeploymentStatus, c: Condition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function newCondition(type: string, status: Condition['status'], reason: string, message: string, now: number): Condition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== NO_DEADLINE;
}

/** calculateStatus: the counts from the ReplicaSets, plus the Available condition. */
export function calculateStatus(all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = sum(all, (rs) => rs.status?.availableReplicas);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sum(all, (rs) => rs.status?.replicas),
    updatedReplicas: sum([newRS], (rs) => rs.status?.replicas),
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(all) - available),
  };
  // Zero counts are omitted, as in the apps/v1 JSON of a real cluster (omitempty).
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) {
    if (!status[k]) delete status[k];
  }
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

const n = (x: number | undefined) => x ?? 0;

/** deploymentComplete: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return n(s.updatedReplicas) === want && n(s.replicas) === want && n(s.availableReplicas) === want && n(s.observedGeneration) >= n(d.metadata.generation);
}

/** deploymentProgressing: more updated/ready/available replicas, or fewer old ones, than before. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  return (
    n(s.updatedReplicas) > n(o.updatedReplicas) ||
    n(s.replicas) - n(s.updatedReplicas) < n(o.replicas) - n(o.updatedReplicas) ||
    n(s.readyReplicas) > n(o.readyReplicas) ||
    n(s.availableReplicas) > n(o.availableReplicas)
  );
}

export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c || c.reason === Reason.NewReplicaSetAvailable) return false;
  if (c.reason === Reason.ProgressDeadlineExceeded) return true;
  const from = Date.parse(c.lastUpdateTime ?? c.lastTransitionTime ?? '');
  return !Number.isNaN(from) && from + d.spec.progressDeadlineSeconds! * 1000 < now;
}

/** isSaturated: the new RS runs all replicas and all of them are available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = replicasOf(d);
  return replicasOf(rs) === want && intAnnotation(rs, DESIRED_REPLICAS) === want && n(rs.status?.availableReplicas) === want;
}

// ---- the planner ----

class Planner {
  private readonly d: Deployment;
  private readonly rss: ReplicaSet[];
  private actions: Action[] = [];
  private collided = false;

  constructor(private readonly input: PlanInput) {
    this.d = structuredClone(input.deployment);
    this.d.status = this.d.status ?? {};
    this.rss = input.replicaSets.map((rs) => structuredClone(rs)).sort(byCreation);
  }

  run(): Plan {
    const d = this.d;
    if (selectorIsEmpty(d.spec.selector)) {
      // Kubernetes refuses to act on a selector that selects everything.
      if (n(d.status!.observedGeneration) < n(d.metadata.generation)) d.status!.observedGeneration = d.metadata.generation;
    } else if (d.metadata.deletionTimestamp) {
      this.syncStatusOnly();
    } else {
      this.checkPausedConditions();
      if (d.spec.paused || this.isScalingEvent()) this.syncScale();
      else if (isRollingUpdate(d)) this.rolloutRolling();
      else this.rolloutRecreate();
    }
    return this.result();
  }

  private result(): Plan {
    const plan: Plan = { actions: this.actions };
    const before = this.input.deployment.status ?? {};
    if (stableStringify(before) !== stableStringify(this.d.status)) plan.status = this.d.status;
    const after = this.requeueAfter();
    if (after !== undefined) plan.requeueAfterMs = after;
    return plan;
  }

  // requeueAfter: when the Progressing condition may time out (Kubernetes' requeueStuckDeployment).
  private requeueAfter(): number | undefined {
    const d = this.d;
    const c = getCondition(d.status, 'Progressing');
    if (this.collided) return 1000;
    if (!hasProgressDeadline(d) || !c || c.reason === Reason.ProgressDeadlineExceeded) return undefined;
    if (deploymentComplete(d, d.status!)) return undefined;
    const after = Date.parse(c.lastUpdateTime ?? '') + d.spec.progressDeadlineSeconds! * 1000 - this.input.now;
    if (Number.isNaN(after)) return undefined;
    return after < 1000 ? 1000 : after + 1000;
  }

  // -- ReplicaSets and revisions --

  private allAndSyncRevision(createIfMissing: boolean): { newRS?: ReplicaSet; olds: ReplicaSet[] } {
    const existing = findNewReplicaSet(this.d, this.rss);
    const olds = this.rss.filter((rs) => rs !== existing);
    const newRS = this.newReplicaSet(existing, olds, createIfMissing);
    return { newRS, olds };
  }

  private newReplicaSet(existing: ReplicaSet | undefined, olds: ReplicaSet[], createIfMissing: boolean): ReplicaSet | undefined {
    const d = this.d;
    const newRevision = maxRevision(olds) + 1;
    if (existing) {
      const annotated = setNewReplicaSetAnnotations(d, existing, newRevision, true);
      const minReady = d.spec.minReadySeconds ?? 0;
      if (annotated || (existing.spec.minReadySeconds ?? 0) !== minReady) {
        existing.spec.minReadySeconds = minReady;
        this.touch(existing);
      }
      const revision = existing.metadata.annotations?.[REVISION];
      if (revision) this.setRevision(revision);
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        const msg = `Found new replica set "${existing.metadata.name}"`;
        setCondition(d.status!, newCondition('Progressing', 'True', Reason.FoundNewReplicaSet, msg, this.input.now));
      }
      return existing;
    }
    if (!createIfMissing || this.collided) return undefined;
    const rs = newReplicaSetFor(d, podTemplateHash(d.spec.template, d.status!.collisionCount));
    if (this.input.nameTaken(rs.metadata.name!)) {
      // Someone else's RS has this name: bump collisionCount so the next hash differs.
      d.status!.collisionCount = n(d.status!.collisionCount) + 1;
      this.collided = true;
      return undefined;
    }
    rs.spec.replicas = newRSNewReplicas(d, [...olds, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    const events = rs.spec.replicas > 0 ? [`Scaled up replica set ${rs.metadata.name} to ${rs.spec.replicas}`] : [];
    this.actions.push({ kind: 'createReplicaSet', rs, events });
    this.rss.push(rs);
    this.setRevision(String(newRevision));
    if (hasProgressDeadline(d)) {
      const msg = `Created new replica set "${rs.metadata.name}"`;
      setCondition(d.status!, newCondition('Progressing', 'True', Reason.NewReplicaSetCreated, msg, this.input.now));
    }
    return rs;
  }

  private setRevision(revision: string): void {
    this.d.metadata.annotations ??= {};
    const a = this.d.metadata.annotations;
    if (a[REVISION] === revision) return;
    a[REVISION] = revision;
    this.actions = this.actions.filter((x) => x.kind !== 'setRevision');
    this.actions.push({ kind: 'setRevision', revision });
  }

  // touch records that rs (a private copy) must be written; a pending create carries it already.
  private touch(rs: ReplicaSet, event?: string): void {
    const pending = this.actions.find((a) => (a.kind === 'createReplicaSet' || a.kind === 'updateReplicaSet') && a.rs === rs);
    if (pending && pending.kind !== 'deleteReplicaSet' && pending.kind !== 'setRevision') {
      if (event) pending.events.push(event);
      return;
    }
    this.actions.push({ kind: 'updateReplicaSet', rs, events: event ? [event] : [] });
  }

  private scaleAndRecord(rs: ReplicaSet, to: number): boolean {
    if (replicasOf(rs) === to) return false;
    return this.scaleReplicaSet(rs, to, replicasOf(rs) < to ? 'up' : 'down');
  }

  private scaleReplicaSet(rs: ReplicaSet, to: number, direction: string): boolean {
    const desired = replicasOf(this.d);
    const max = desired + maxSurge(this.d);
    const resize = replicasOf(rs) !== to;
    if (!resize && !replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
    const from = replicasOf(rs);
    rs.spec.replicas = to;
    setReplicasAnnotations(rs, desired, max);
    this.touch(rs, resize ? `Scaled ${direction} replica set ${rs.metadata.name} to ${to} from ${from}` : undefined);
    return resize;
  }

  // -- the sync flavours --

  private syncStatusOnly(): void {
    const { newRS, olds } = this.allAndSyncRevision(false);
    this.d.status = calculateStatus([...olds, newRS], newRS, this.d, this.input.now);
  }

  private checkPausedConditions(): void {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const c = getCondition(d.status, 'Progressing');
    if (c?.reason === Reason.ProgressDeadlineExceeded) return;
    const pausedCond = c?.reason === Reason.DeploymentPaused;
    if (d.spec.paused && !pausedCond) {
      setCondition(d.status!, newCondition('Progressing', 'Unknown', Reason.DeploymentPaused, 'Deployment is paused', this.input.now));
    } else if (!d.spec.paused && pausedCond) {
      setCondition(d.status!, newCondition('Progressing', 'Unknown', Reason.DeploymentResumed, 'Deployment is resumed', this.input.now));
    }
  }

  private isScalingEvent(): boolean {
    const { newRS, olds } = this.allAndSyncRevision(false);
    return [...olds, newRS].filter(isActive).some((rs) => {
      const desired = intAnnotation(rs, DESIRED_REPLICAS);
      return desired !== undefined && desired !== replicasOf(this.d);
    });
  }

  private syncScale(): void {
    const { newRS, olds } = this.allAndSyncRevision(false);
    this.scale(newRS, olds);
    if (this.d.spec.paused) this.cleanup(olds);
    this.d.status = calculateStatus([...olds, newRS], newRS, this.d, this.input.now);
  }

  private rolloutRolling(): void {
    const { newRS, olds } = this.allAndSyncRevision(true);
    if (!newRS) return;
    const all = [...olds, newRS];
    // Scale up if possible, else down; only a rollout with nothing left to do cleans up history.
    const scaled = this.reconcileNewReplicaSet(all, newRS) || this.reconcileOldReplicaSets(all, olds.filter(isActive), newRS);
    if (!scaled && deploymentComplete(this.d, this.d.status!)) this.cleanup(olds);
    this.syncRolloutStatus(all, newRS);
  }

  private rolloutRecreate(): void {
    let { newRS, olds } = this.allAndSyncRevision(false);
    let scaledDown = false;
    for (const rs of olds.filter(isActive)) if (this.scaleAndRecord(rs, 0)) scaledDown = true;
    if (scaledDown || this.oldPodsRunning(newRS, olds)) {
      this.syncRolloutStatus([...olds, newRS], newRS);
      return;
    }
    if (!newRS) {
      ({ newRS, olds } = this.allAndSyncRevision(true));
      if (!newRS) return;
    }
    this.scaleAndRecord(newRS, replicasOf(this.d));
    if (deploymentComplete(this.d, this.d.status!)) this.cleanup(olds);
    this.syncRolloutStatus([...olds, newRS], newRS);
  }

  // oldPodsRunning: Recreate waits until no pod of an old RS is left that is not finished.
  private oldPodsRunning(newRS: ReplicaSet | undefined, olds: ReplicaSet[]): boolean {
    if (sum(olds, (rs) => rs.status?.replicas) > 0) return true;
    for (const [uid, pods] of this.input.podsByReplicaSet ?? []) {
      if (newRS && uid === newRS.metadata.uid) continue;
      if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
    }
    return false;
  }

  private reconcileNewReplicaSet(all: ReplicaSet[], newRS: ReplicaSet): boolean {
    const want = replicasOf(this.d);
    if (replicasOf(newRS) === want) return false;
    if (replicasOf(newRS) > want) return this.scaleAndRecord(newRS, want);
    return this.scaleAndRecord(newRS, newRSNewReplicas(this.d, all, newRS));
  }

  private reconcileOldReplicaSets(all: ReplicaSet[], oldActive: ReplicaSet[], newRS: ReplicaSet): boolean {
    if (specReplicas(oldActive) === 0) return false;
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d);
    const newUnavailable = replicasOf(newRS) - n(newRS.status?.availableReplicas);
    const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = this.cleanupUnhealthyReplicas(oldActive, maxScaledDown);
    const scaled = this.scaleDownOldForRollingUpdate([...oldActive, newRS], oldActive);
    return cleaned + scaled > 0;
  }

  // cleanupUnhealthyReplicas scales old RSs down by their unavailable replicas first: removing
  // those costs no availability, and they would otherwise block the rollout.
  private cleanupUnhealthyReplicas(olds: ReplicaSet[], maxCleanup: number): number {
    let total = 0;
    for (const rs of [...olds].sort(byCreation)) {
      if (total >= maxCleanup) break;
      const unhealthy = replicasOf(rs) - n(rs.status?.availableReplicas);
      if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
      const down = Math.min(maxCleanup - total, unhealthy);
      this.scaleAndRecord(rs, replicasOf(rs) - down);
      total += down;
    }
    return total;
  }

  private scaleDownOldForRollingUpdate(all: ReplicaSet[], olds: ReplicaSet[]): number {
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d);
    const available = sum(all, (rs) => rs.status?.availableReplicas);
    if (available <= minAvailable) return 0;
    const budget = available - minAvailable;
    let total = 0;
    for (const rs of [...olds].sort(byCreation)) {
      if (total >= budget) break;
      if (replicasOf(rs) === 0) continue;
      const down = Math.min(replicasOf(rs), budget - total);
      this.scaleAndRecord(rs, replicasOf(rs) - down);
      total += down;
    }
    return total;
  }

  // scale resizes without rolling: one active RS takes the whole count; several share a change
  // in proportion to their size (Kubernetes' proportional scaling).
  private scale(newRS: ReplicaSet | undefined, olds: ReplicaSet[]): void {
    const d = this.d;
    const target = activeOrLatest(newRS, olds);
    if (target) {
      if (replicasOf(target) !== replicasOf(d)) this.scaleAndRecord(target, replicasOf(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const rs of olds.filter(isActive)) this.scaleAndRecord(rs, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const active = [...olds, newRS].filter(isActive);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(active);
    const newerFirst = (a: ReplicaSet, b: ReplicaSet) => replicasOf(b) - replicasOf(a) || byCreation(b, a);
    const olderFirst = (a: ReplicaSet, b: ReplicaSet) => replicasOf(b) - replicasOf(a) || byCreation(a, b);
    if (toAdd > 0) active.sort(newerFirst);
    else if (toAdd < 0) active.sort(olderFirst);
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of active) {
      const p = toAdd === 0 ? 0 : this.proportion(rs, toAdd, added);
      sizes.set(rs, replicasOf(rs) + p);
      added += p;
    }
    // Leftovers from rounding go to the largest RS.
    if (toAdd !== 0 && active.length) sizes.set(active[0], Math.max(0, sizes.get(active[0])! + toAdd - added));
    const direction = toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : '';
    for (const rs of active) this.scaleReplicaSet(rs, sizes.get(rs)!, direction);
  }

  private proportion(rs: ReplicaSet, toAdd: number, added: number): number {
    if (replicasOf(rs) === 0 || toAdd === added) return 0;
    const d = this.d;
    let fraction: number;
    if (replicasOf(d) === 0) {
      fraction = -replicasOf(rs);
    } else {
      const before = intAnnotation(rs, MAX_REPLICAS) ?? n(d.status?.replicas);
      fraction = before === 0 ? 0 : roundHalfAway((replicasOf(rs) * (replicasOf(d) + maxSurge(d))) / before) - replicasOf(rs);
    }
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  // cleanup deletes the oldest idle RSs beyond revisionHistoryLimit.
  private cleanup(olds: ReplicaSet[]): void {
    const limit = this.d.spec.revisionHistoryLimit;
    if (limit === undefined || limit === null || limit === NO_DEADLINE) return;
    const alive = olds.filter((rs) => !rs.metadata.deletionTimestamp);
    const excess = alive.length - limit;
    if (excess <= 0) return;
    const oldestFirst = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of oldestFirst.slice(0, excess)) {
      const written = this.actions.some((a) => 'rs' in a && a.rs === rs);
      if (written || n(rs.status?.replicas) !== 0 || replicasOf(rs) !== 0) continue;
      if (n(rs.metadata.generation) > n(rs.status?.observedGeneration)) continue;
      this.actions.push({ kind: 'deleteReplicaSet', rs });
    }
  }

  private syncRolloutStatus(all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
    const d = this.d;
    const now = this.input.now;
    const s = calculateStatus(all, newRS, d, now);
    if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
    const current = getCondition(d.status, 'Progressing');
    const complete = n(s.replicas) === n(s.updatedReplicas) && current?.reason === Reason.NewReplicaSetAvailable;
    const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, s)) {
        setCondition(s, newCondition('Progressing', 'True', Reason.NewReplicaSetAvailable, `${what} has successfully progressed.`, now));
      } else if (deploymentProgressing(d, s)) {
        // Progress refreshes lastUpdateTime (the deadline counts from it) even with the same reason.
        const c = newCondition('Progressing', 'True', Reason.ReplicaSetUpdated, `${what} is progressing.`, now);
        if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(s, 'Progressing');
        setCondition(s, c);
      } else if (deploymentTimedOut(d, s, now)) {
        setCondition(s, newCondition('Progressing', 'False', Reason.ProgressDeadlineExceeded, `${what} has timed out progressing.`, now));
      }
    }
    const failure = replicaFailure(all, newRS);
    if (failure) setCondition(s, failure);
    else removeCondition(s, 'ReplicaFailure');
    d.status = s;
  }
}

function activeOrLatest(newRS: ReplicaSet | undefined, olds: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && olds.length === 0) return undefined;
  const newestFirst = [...olds].sort((a, b) => byCreation(b, a));
  const active = [...newestFirst, newRS].filter(isActive);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

// replicaFailure lifts a ReplicaFailure condition of the new RS (else of any RS) to the Deployment.
function replicaFailure(all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Condition | undefined {
  for (const rs of [newRS, ...all]) {
    const c = rs?.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    if (c) return { type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
  }
  return undefined;
}

// roundHalfAway rounds like Go's math.Round (halves away from zero).
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** podsByReplicaSet groups pods by the uid of their controlling ReplicaSet, for Recreate. */
export function podsByReplicaSet(rss: ReplicaSet[], pods: Pod[]): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>(rss.map((rs) => [rs.metadata.uid!, []]));
  for (const p of pods) {
    const uid = p.metadata.ownerReferences?.find((r) => r.controller)?.uid;
    if (uid) out.get(uid)?.push(p);
  }
  return out;
}
