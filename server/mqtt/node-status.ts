// node-status: a NodeReport from an agent becomes its Node — created if missing (the agent's
// labels, spec {}), labels and annotations merged in, and the status (capacity, allocatable,
// conditions, addresses, nodeInfo) written through the status subresource only when something
// other than heartbeat times changed. Condition times are the server's: a Pi without a
// real-time clock may boot in 1970.
import type { Condition, KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { type Clock, rfc3339 } from '../../shared/clock.js';
import type { NodeReport } from '../../shared/mqtt/payloads.js';
import { isQuantity } from '../../shared/quantity.js';
import { ApiError } from '../api/errors.js';
import type { ObjectService } from '../objects/object-service.js';
import { stableJson } from './stable-json.js';

const NODES = findResource('', 'v1', 'nodes')!;
const STATUSES = ['True', 'False', 'Unknown'];

export class NodeStatusWriter {
  /** last: each node's newest report, to register the Node again if someone deletes it. */
  private readonly last = new Map<string, NodeReport>();

  constructor(
    private readonly objects: ObjectService,
    private readonly clock: Clock,
  ) {}

  async write(node: string, report: NodeReport): Promise<void> {
    const r = sanitize(report);
    this.last.set(node, r);
    await this.ensureNode(node, r);
    const now = this.clock.now();
    await this.objects.mutate(NODES, '', node, (n) => {
      const status = nextNodeStatus(n.status, r, now);
      return status ? { ...n, status } : undefined;
    }, { subresource: 'status' });
  }

  /** missingNode: the last report of a node whose Node object is gone (someone deleted it), to write again. */
  missingNode(node: string): NodeReport | undefined {
    const r = this.last.get(node);
    return r && !this.objects.find(NODES, '', node) ? r : undefined;
  }

  private async ensureNode(node: string, r: NodeReport): Promise<void> {
    if (!this.objects.find(NODES, '', node)) {
      try {
        const metadata = { name: node, labels: r.labels, ...(r.annotations ? { annotations: r.annotations } : {}) };
        await this.objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata, spec: {} });
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
      }
    }
    await this.objects.mutate(NODES, '', node, (n) => {
      const labels = merged(n.metadata.labels, r.labels);
      const annotations = merged(n.metadata.annotations, r.annotations ?? {});
      if (!labels && !annotations) return undefined;
      n.metadata = { ...n.metadata, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
      return n;
    });
  }
}

/** nextNodeStatus: the Node's status after a report, or undefined if only heartbeat times would change. */
export function nextNodeStatus(old: KubeObject['status'] | undefined, r: NodeReport, now: number): KubeObject['status'] | undefined {
  const at = rfc3339(now);
  const before: Condition[] = old?.conditions ?? [];
  const conditions = r.conditions.map((c): Condition => {
    const prev = before.find((p) => p.type === c.type);
    const transition = prev?.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : at;
    return { type: c.type, status: c.status, reason: c.reason, message: c.message, lastHeartbeatTime: at, lastTransitionTime: transition };
  });
  const next = { ...(old ?? {}), capacity: r.capacity, allocatable: r.allocatable, conditions, addresses: r.addresses, nodeInfo: r.nodeInfo };
  return withoutHeartbeats(next) === withoutHeartbeats(old ?? {}) ? undefined : next;
}

function withoutHeartbeats(status: KubeObject['status']): string {
  const conditions = (status.conditions as Condition[] | undefined)?.map(({ lastHeartbeatTime: _, ...c }) => c);
  return stableJson({ ...status, conditions });
}

function quantities(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, q]) => isQuantity(q)));
}

function merged(have: Record<string, string> | undefined, want: Record<string, string>): Record<string, string> | undefined {
  const changed = Object.entries(want).some(([k, v]) => have?.[k] !== v);
  return changed ? { ...(have ?? {}), ...want } : undefined;
}

// sanitize keeps what has the shape of a NodeReport: the status subresource skips validation,
// so nothing odd may reach the Node through it.
function sanitize(r: NodeReport): NodeReport {
  const strings = (o: unknown): Record<string, string> =>
    Object.fromEntries(Object.entries(o && typeof o === 'object' && !Array.isArray(o) ? o : {}).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const list = <T>(a: unknown, ok: (x: any) => boolean): T[] => (Array.isArray(a) ? a.filter((x) => x && typeof x === 'object' && ok(x)) : []);
  return {
    v: 1,
    capacity: quantities(strings(r.capacity)),
    allocatable: quantities(strings(r.allocatable)),
    conditions: list<Condition>(r.conditions, (c) => typeof c.type === 'string' && STATUSES.includes(c.status)).map((c) => ({
      type: c.type,
      status: c.status,
      ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
      ...(typeof c.message === 'string' ? { message: c.message } : {}),
    })),
    addresses: list<{ type: string; address: string }>(r.addresses, (a) => typeof a.type === 'string' && typeof a.address === 'string').map((a) => ({
      type: a.type,
      address: a.address,
    })),
    nodeInfo: strings(r.nodeInfo),
    labels: strings(r.labels),
    annotations: r.annotations ? strings(r.annotations) : undefined,
  };
}
