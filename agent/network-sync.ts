// network-sync: the agent's copy of every node's pod subnet and addresses (for host-gw routes),
// kept from the server's numbered change messages and, to start from or to mend a gap, its
// retained snapshot (server/mqtt/cluster-network.ts says why the two).
//
//   connect ──► the link reads the snapshot; changes arriving first are held
//   snapshot ──► adopted whole (it is authoritative: a node missing from it is gone); held
//                changes after its seq are applied; if one is missing, the snapshot is older
//                than what arrived: read it again after retryMs (the server republishes it
//                shortly after every change)
//   change seq+1 ──► applied;  a missing number or a new epoch (server restarted) ──► read the
//                snapshot again, holding what arrives meanwhile
import type { NetworkChanges, NetworkMap, NetworkMapNode, NetworkSnapshot } from '../shared/mqtt/payloads.js';

export interface NetworkSyncOptions {
  /** request: read the snapshot again (Link.requestNetworkSnapshot). */
  request: () => void;
  onChange: () => void;
  /** retryMs: wait before reading a snapshot again that was older than the changes held (default 1 s). */
  retryMs?: number;
}

/** MAX_HELD: changes held while waiting for a snapshot; beyond that the oldest go (the snapshot covers them). */
const MAX_HELD = 1_000;

export class NetworkSync {
  private readonly nodes = new Map<string, NetworkMapNode>();
  private clusterCIDR: string | undefined;
  private heard = false;
  private epoch: string | undefined;
  private seq = 0;
  /** synced: caught up with the change stream, applying each message as it comes. */
  private synced = false;
  private held: NetworkChanges[] = [];
  private retry?: NodeJS.Timeout;
  private map: NetworkMap | undefined;

  constructor(private readonly o: NetworkSyncOptions) {}

  /** load takes a map saved earlier; it is used until the server's snapshot replaces it. */
  load(m: NetworkMap): void {
    this.heard = true;
    this.clusterCIDR = m.clusterCIDR;
    for (const n of m.nodes) this.nodes.set(n.name, n);
    this.map = undefined;
  }

  /** networkMap: nodes sorted by name; undefined until anything was heard or loaded. */
  networkMap(): NetworkMap | undefined {
    if (!this.heard) return undefined;
    this.map ??= {
      v: 1,
      ...(this.clusterCIDR ? { clusterCIDR: this.clusterCIDR } : {}),
      nodes: [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
    return this.map;
  }

  /** connected: a new session, which reads the snapshot (the link subscribes to it on connect). */
  connected(): void {
    this.synced = false;
    this.held = [];
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  onSnapshot(s: NetworkSnapshot): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.nodes.clear();
    for (const n of s.nodes) this.nodes.set(n.name, n);
    this.clusterCIDR = s.clusterCIDR;
    this.epoch = s.epoch;
    this.seq = s.seq;
    const later = this.held.filter((c) => c.epoch === s.epoch && c.seq > s.seq).sort((a, b) => a.seq - b.seq);
    let i = 0;
    for (; i < later.length && later[i].seq <= this.seq + 1; i++) if (later[i].seq === this.seq + 1) this.apply(later[i]);
    this.held = later.slice(i);
    this.synced = this.held.length === 0;
    if (!this.synced) this.retry = setTimeout(() => this.o.request(), this.o.retryMs ?? 1_000);
    this.changed();
  }

  onChanges(c: NetworkChanges): void {
    if (this.synced && c.epoch === this.epoch) {
      if (c.seq <= this.seq) return; // already applied
      if (c.seq === this.seq + 1) {
        this.apply(c);
        if (c.changes.length) this.changed();
        return;
      }
    }
    if (this.synced) {
      // A number missed (a lost message) or a new epoch (the server restarted): start over from the snapshot.
      this.synced = false;
      this.held = [];
      this.o.request();
    }
    this.held.push(c);
    if (this.held.length > MAX_HELD) this.held.shift();
  }

  stop(): void {
    clearTimeout(this.retry);
  }

  private apply(c: NetworkChanges): void {
    for (const ch of c.changes) {
      if ('deleted' in ch) this.nodes.delete(ch.name);
      else this.nodes.set(ch.name, ch);
    }
    this.seq = c.seq;
  }

  private changed(): void {
    this.heard = true;
    this.map = undefined;
    this.o.onChange();
  }
}
