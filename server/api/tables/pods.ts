// pods: `kubectl get pods` columns, with kube-apiserver's printPod logic for Ready, Status and
// Restarts. Status is decided in this order, each later step overriding the earlier:
//   phase (or status.reason) → SchedulingGated → first unfinished init container ("Init:…")
//   → container waiting/terminated reasons (last container listed wins) → "Completed" turns back
//   to Running/NotReady while a container still runs → "Terminating" / "Unknown" when deleting.
import type { Pod } from '../../../shared/api/core.js';
import type { Condition, KubeObject } from '../../../shared/api/meta.js';
import { ageColumn, column, nameColumn, since, wide } from './format.js';
import type { Cell, RowContext, TablePrinter, TableRowCondition } from './types.js';

interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

const NODE_LOST = 'NodeLost';

export const podColumns = [
  nameColumn,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  ageColumn,
  wide(column('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.')),
  wide(column('Node', 'string', 'NodeName indicates in which node this pod is scheduled.')),
  wide(column('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node.')),
  wide(column('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.')),
];

/** PodSummary is what the Ready, Status and Restarts columns show. */
export interface PodSummary {
  ready: number;
  total: number;
  status: string;
  restarts: number;
  /** lastRestart: when the most recent counted restart's container finished (ms), if known. */
  lastRestart?: number;
}

/** summarizePod follows kube-apiserver's printPod (pkg/printers/internalversion). */
export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }
  const initSpecs = spec.initContainers ?? [];
  const restartable = new Set(initSpecs.filter((c) => (c as { restartPolicy?: string }).restartPolicy === 'Always').map((c) => c.name));
  const total = (spec.containers ?? []).length + restartable.size;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let sidecarLastRestart = 0;

  let initializing = false;
  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(c));
    if (restartable.has(c.name)) {
      sidecarRestarts += c.restartCount ?? 0;
      sidecarLastRestart = Math.max(sidecarLastRestart, finishedAt(c));
    }
    const term = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (restartable.has(c.name) && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (term) reason = term.reason ? `Init:${term.reason}` : `Init:${exitText(term)}`;
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let hasRunning = false;
    const statuses: ContainerStatus[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(c));
      const term = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = exitText(term);
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === NODE_LOST) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  return { ready, total, status: reason, restarts, lastRestart: lastRestart || undefined };
}

function finishedAt(c: ContainerStatus): number {
  const t = c.lastState?.terminated?.finishedAt;
  const ms = t ? Date.parse(t) : Number.NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

function exitText(term: { exitCode?: number; signal?: number }): string {
  return term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
}

function hasCondition(conditions: Condition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function readinessGates(pod: Pod): string {
  const gates: { conditionType: string }[] = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const passing = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${passing}/${gates.length}`;
}

export const pods: TablePrinter = {
  columns: podColumns,
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    const pod = obj as Pod;
    const s = summarizePod(pod);
    const restarts =
      s.restarts !== 0 && s.lastRestart !== undefined
        ? `${s.restarts} (${since(new Date(s.lastRestart).toISOString(), now)} ago)`
        : String(s.restarts);
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    return [
      pod.metadata.name ?? '',
      `${s.ready}/${s.total}`,
      s.status,
      restarts,
      since(pod.metadata.creationTimestamp, now),
      ip,
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(obj: KubeObject): TableRowCondition[] | undefined {
    switch (obj.status?.phase) {
      case 'Succeeded':
        return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
      case 'Failed':
        return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
      default:
        return undefined;
    }
  },
};
