// node-lease: the Lease kube-node-lease/<node>, renewed from MQTT heartbeats — at once when its
// state changes (no Lease yet, the first heartbeat after the node was lost, another holder), and
// once every RENEW_EVERY_MS otherwise. Routine heartbeats stay in memory (heartbeats.ts); the
// Lease is what survives a server restart and what kubectl shows.
//
// Routine renewals wait for a shared batch written every batchMs: writes issued together share
// one commit (store group commit), so an idle cluster commits a few times a minute whatever its
// size, not once per node per minute (50 nodes made 40 commits and ≈ 50 MB of writes an hour on
// an SD card; 1,000 nodes 870 commits a minute). A Lease is then at most RENEW_EVERY_MS + batchMs
// old, still inside LEASE_DURATION_S.
import { findResource } from '../../shared/api/resources.js';
import { rfc3339Micro } from '../../shared/clock.js';
import { LEASE_NAMESPACE } from '../controllers/node-lifecycle.js';
import type { ObjectService } from '../objects/object-service.js';

const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const NODES = findResource('', 'v1', 'nodes')!;
export const RENEW_EVERY_MS = 60_000;
export const RENEW_BATCH_MS = 15_000;
/** LEASE_DURATION_S is longer than the renewal interval, so a Lease never looks expired between renewals. */
export const LEASE_DURATION_S = 90;

export interface NodeLeasesOptions {
  batchMs?: number;
  onError?: (err: unknown, node: string) => void;
}

export class NodeLeases {
  private readonly written = new Map<string, number>();
  private readonly busy = new Set<string>();
  /** due: nodes whose routine renewal waits for the next batch, with their latest heartbeat time. */
  private readonly due = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly objects: ObjectService,
    private readonly o: NodeLeasesOptions = {},
  ) {}

  /** renew writes the Lease now if its state changed, or queues a routine renewal; news: the heartbeat is the first after the node was lost. */
  async renew(node: string, now: number, news: boolean): Promise<void> {
    if (this.busy.has(node)) return;
    const lease = this.objects.find(LEASES, LEASE_NAMESPACE, node);
    const last = this.written.get(node);
    const urgent = news || !lease || last === undefined || lease.spec?.holderIdentity !== node;
    if (!urgent) {
      if (now - last >= RENEW_EVERY_MS) this.queue(node, now);
      return;
    }
    await this.write(node, now);
  }

  /** close drops queued routine renewals (the next start renews them) and waits for a batch being written. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due.clear();
    await this.flushing;
  }

  private queue(node: string, heartbeatAt: number): void {
    this.due.set(node, heartbeatAt);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush();
    }, this.o.batchMs ?? RENEW_BATCH_MS);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    const due = [...this.due];
    this.due.clear();
    // Issued together, so the store commits them together. Each renewTime is the node's latest
    // heartbeat, not the time of the batch: a node that died meanwhile must not look fresher
    // (node lifecycle takes the newer of the Lease and the heartbeats held in memory).
    await Promise.all(due.map(([n, at]) => this.write(n, at).catch((err) => this.o.onError?.(err, n))));
  }

  private async write(node: string, now: number): Promise<void> {
    if (this.busy.has(node)) return;
    this.busy.add(node);
    try {
      const renewTime = rfc3339Micro(now);
      const updated = await this.objects.mutate(LEASES, LEASE_NAMESPACE, node, (l) => ({
        ...l,
        spec: { ...l.spec, holderIdentity: node, leaseDurationSeconds: LEASE_DURATION_S, renewTime },
      }));
      if (!updated) await this.create(node, renewTime);
      this.written.set(node, now);
    } finally {
      this.busy.delete(node);
    }
  }

  private async create(node: string, renewTime: string): Promise<void> {
    const owner = this.objects.find(NODES, '', node);
    await this.objects.create(LEASES, LEASE_NAMESPACE, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: node,
        namespace: LEASE_NAMESPACE,
        ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: owner.metadata.uid! }] } : {}),
      },
      spec: { holderIdentity: node, leaseDurationSeconds: LEASE_DURATION_S, renewTime },
    });
  }
}
