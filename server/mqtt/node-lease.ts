// node-lease: the Lease kube-node-lease/<node>, renewed from MQTT heartbeats — but only when its
// state changes (no Lease yet, the first heartbeat after the node was lost, another holder) or
// once every RENEW_EVERY_MS otherwise. Routine heartbeats stay in memory (heartbeats.ts); the
// Lease is what survives a server restart and what kubectl shows.
import { findResource } from '../../shared/api/resources.js';
import { rfc3339Micro } from '../../shared/clock.js';
import { LEASE_NAMESPACE } from '../controllers/node-lifecycle.js';
import type { ObjectService } from '../objects/object-service.js';

const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const NODES = findResource('', 'v1', 'nodes')!;
export const RENEW_EVERY_MS = 60_000;
/** LEASE_DURATION_S is longer than the renewal interval, so a Lease never looks expired between renewals. */
export const LEASE_DURATION_S = 90;

export class NodeLeases {
  private readonly written = new Map<string, number>();
  private readonly busy = new Set<string>();

  constructor(private readonly objects: ObjectService) {}

  /** renew writes the Lease if it is due; news: the heartbeat is the first after the node was lost. */
  async renew(node: string, now: number, news: boolean): Promise<void> {
    if (this.busy.has(node)) return;
    const lease = this.objects.find(LEASES, LEASE_NAMESPACE, node);
    const last = this.written.get(node);
    const due = news || !lease || last === undefined || lease.spec?.holderIdentity !== node || now - last >= RENEW_EVERY_MS;
    if (!due) return;
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
