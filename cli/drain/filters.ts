// filters: which pods on a node `drain` evicts, skips or refuses to touch — kubectl's drain
// filters, in its order (DaemonSet, mirror, local storage, unmanaged), with its wording. Pure:
// the drain verb lists the pods, calls planDrain, and reports or evicts.
import type { KubeObject } from '../../shared/api/meta.js';

export interface DrainFlags {
  force: boolean;
  ignoreDaemonSets: boolean;
  deleteEmptyDirData: boolean;
}

const DAEMONSET_FATAL = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
const DAEMONSET_WARNING = 'ignoring DaemonSet-managed Pods';
const LOCAL_STORAGE_FATAL = 'Pods with local storage (use --delete-emptydir-data to override)';
const LOCAL_STORAGE_WARNING = 'deleting Pods with local storage';
const UNMANAGED_FATAL = 'cannot delete Pods that declare no controller (use --force to override)';
const UNMANAGED_WARNING = 'deleting Pods that declare no controller';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

type Verdict = { evict: boolean; kind: 'ok' | 'skip' | 'warning' | 'error'; message?: string };

const OK: Verdict = { evict: true, kind: 'ok' };
const warn = (evict: boolean, message: string): Verdict => ({ evict, kind: 'warning', message });
const fail = (message: string): Verdict => ({ evict: false, kind: 'error', message });

function finished(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function controllerOf(pod: KubeObject) {
  return pod.metadata.ownerReferences?.find((r) => r.controller);
}

const FILTERS: ((pod: KubeObject, f: DrainFlags) => Verdict)[] = [
  // A DaemonSet would put its pod straight back, so its pods are never evicted.
  (pod, f) => {
    if (controllerOf(pod)?.kind !== 'DaemonSet' || finished(pod)) return OK;
    return f.ignoreDaemonSets ? warn(false, DAEMONSET_WARNING) : fail(DAEMONSET_FATAL);
  },
  (pod) => (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined ? { evict: false, kind: 'skip' } : OK),
  (pod, f) => {
    const emptyDir = (pod.spec?.volumes ?? []).some((v: { emptyDir?: unknown }) => v?.emptyDir !== undefined && v.emptyDir !== null);
    if (!emptyDir || finished(pod)) return OK;
    return f.deleteEmptyDirData ? warn(true, LOCAL_STORAGE_WARNING) : fail(LOCAL_STORAGE_FATAL);
  },
  (pod, f) => {
    if (finished(pod) || controllerOf(pod)) return OK;
    return f.force ? warn(true, UNMANAGED_WARNING) : fail(UNMANAGED_FATAL);
  },
];

export interface DrainPlan {
  /** evict: the pods to evict. */
  evict: KubeObject[];
  /** warning: kubectl's "Warning: …" text, or "" (messages with their pods, "; "-separated). */
  warning: string;
  /** errors: one per reason, "cannot delete <reason>: ns/a, ns/b"; any error means nothing is evicted. */
  errors: string[];
}

/** planDrain runs every pod through the filters; as in kubectl, a pod's last verdict is the one kept. */
export function planDrain(pods: KubeObject[], flags: DrainFlags): DrainPlan {
  const warnings = new Map<string, string[]>();
  const errors = new Map<string, string[]>();
  const evict: KubeObject[] = [];
  for (const pod of pods) {
    let verdict = OK;
    for (const filter of FILTERS) {
      verdict = filter(pod, flags);
      if (!verdict.evict) break;
    }
    const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (verdict.kind === 'warning') warnings.set(verdict.message!, [...(warnings.get(verdict.message!) ?? []), ref]);
    if (verdict.kind === 'error') errors.set(verdict.message!, [...(errors.get(verdict.message!) ?? []), ref]);
    if (verdict.evict) evict.push(pod);
  }
  return {
    evict,
    warning: [...warnings].map(([msg, refs]) => `${msg}: ${refs.join(', ')}`).join('; '),
    errors: [...errors].map(([msg, refs]) => `${msg.toLowerCase().startsWith('cannot delete') ? msg : `cannot delete ${msg}`}: ${refs.join(', ')}`),
  };
}

/** aggregate joins errors as Go's utilerrors.NewAggregate prints them: one as is, several in brackets. */
export function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}

/** goDuration prints milliseconds as Go's time.Duration does: "30s", "1m0s", "1h30m0s". */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const total = ms / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Number((total % 60).toFixed(3));
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}
