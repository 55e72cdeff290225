// heartbeats: every node agent's last sign of life, in memory. Heartbeats arrive every few
// seconds from every node; writing each to the database would make Leases the hottest rows in
// the cluster, so they land here and the ingest renews the Lease only now and then. The node
// lifecycle controller reads both (max of Lease and memory).
//
//   unknown ──seen──▶ alive ──gone (last will "offline", or "shutdown")──▶ gone ──seen──▶ alive
//                       └──seen after a silence longer than lostAfterMs──▶ alive (news again)
//
// onChange fires on every arrow, never on a routine heartbeat.
//
// Each node's heartbeats also feed its LinkQuality (link-quality.ts): how long the lifecycle
// controller waits for the next one — the base grace on a steady link, more on a lossy one.
import type { HeartbeatSource } from '../controllers/node-lifecycle.js';
import type { MemoryHeartbeat } from '../controllers/node-lifecycle-logic.js';
import { LinkQuality } from './link-quality.js';

export type GoneReason = 'offline' | 'shutdown';

const GONE_MESSAGE: Record<GoneReason, string> = {
  offline: 'Node agent disconnected (its MQTT session ended without a goodbye).',
  shutdown: 'Node agent shut down.',
};

interface Entry {
  lastSeen?: number;
  gone?: GoneReason;
  link?: LinkQuality;
}

export class NodeHeartbeats implements HeartbeatSource {
  private readonly nodes = new Map<string, Entry>();
  private readonly listeners = new Set<(node: string) => void>();

  /**
   * lostAfterMs: the base grace period (--node-monitor-grace-period); maxGraceMs: the most a
   * lossy link may stretch it to (--node-monitor-grace-period-max; = lostAfterMs: no stretching).
   */
  constructor(
    private readonly lostAfterMs: number,
    private readonly maxGraceMs = lostAfterMs,
  ) {}

  /**
   * seen notes a sign of life at `at` (ms); true when it is news: first, after gone, or after a
   * silence. sentAt: the agent's send time of a heartbeat (its clock), for the link quality.
   */
  seen(node: string, at: number, sentAt?: number): boolean {
    const e = this.nodes.get(node);
    const news = e?.lastSeen === undefined || e.gone !== undefined || at - e.lastSeen > this.graceOf(e, at);
    const link = e?.link ?? new LinkQuality({ baseMs: this.lostAfterMs, maxMs: Math.max(this.lostAfterMs, this.maxGraceMs) });
    if (sentAt !== undefined) link.sample(at, sentAt);
    this.nodes.set(node, { lastSeen: Math.max(at, e?.lastSeen ?? 0), link });
    if (news) this.emit(node);
    return news;
  }

  /** graceMs: how long this node may stay silent before it is stale, as of now. */
  graceMs(node: string, now: number): number {
    return this.graceOf(this.nodes.get(node), now);
  }

  private graceOf(e: Entry | undefined, now: number): number {
    return e?.link?.graceMs(now) ?? this.lostAfterMs;
  }

  /** gone notes that the node's agent went away; the node is stale until it is seen again. */
  gone(node: string, reason: GoneReason): void {
    const e = this.nodes.get(node);
    if (e?.gone === reason) return;
    this.nodes.set(node, { lastSeen: e?.lastSeen, gone: reason, link: e?.link });
    this.emit(node);
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  lastSeen(node: string): number | undefined {
    return this.nodes.get(node)?.lastSeen;
  }

  isGone(node: string): boolean {
    return this.nodes.get(node)?.gone !== undefined;
  }

  heartbeat(node: string, now?: number): MemoryHeartbeat {
    const e = this.nodes.get(node);
    const out: MemoryHeartbeat = { lastSeen: e?.lastSeen, gone: e?.gone && GONE_MESSAGE[e.gone] };
    if (now !== undefined && e?.link) out.graceMs = e.link.graceMs(now);
    return out;
  }

  onChange(cb: (node: string) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  forget(node: string): void {
    this.nodes.delete(node);
  }

  private emit(node: string): void {
    for (const cb of this.listeners) cb(node);
  }
}
