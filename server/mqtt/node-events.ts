// node-events: an EventReport from an agent becomes Events, through the shared event recorder
// (repeats bump a count instead of adding rows). An agent may only speak about itself and the
// pods bound to it, and at most `burst` events at once, refilled at `perSecond`, so one node in
// a crash loop cannot flood the database.
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import type { Clock } from '../../shared/clock.js';
import type { EventEntry, EventReport } from '../../shared/mqtt/payloads.js';
import type { EventRecorder } from '../controllers/events.js';
import type { ObjectService } from '../objects/object-service.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
export const EVENT_SOURCE = 'kubelet';

export interface EventRateOptions {
  burst?: number;
  perSecond?: number;
}

export class NodeEvents {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly burst: number;
  private readonly perSecond: number;
  dropped = 0;

  constructor(
    private readonly objects: ObjectService,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
    opts: EventRateOptions = {},
  ) {
    this.burst = opts.burst ?? 25;
    this.perSecond = opts.perSecond ?? 1;
  }

  record(node: string, report: EventReport): void {
    for (const e of Array.isArray(report.events) ? report.events : []) {
      if (!e || typeof e.reason !== 'string' || typeof e.message !== 'string') continue;
      const obj = this.involved(node, e);
      if (!obj) continue;
      if (!this.take(node)) {
        this.dropped++;
        continue;
      }
      this.recorder.record(obj, e.type === 'Warning' ? 'Warning' : 'Normal', e.reason.slice(0, 128), e.message.slice(0, 1024), EVENT_SOURCE);
    }
  }

  private involved(node: string, e: EventEntry): KubeObject | undefined {
    const io = e.involvedObject;
    if (!io || typeof io.name !== 'string') return undefined;
    if (io.kind === 'Node') return io.name === node ? this.objects.find(NODES, '', node) : undefined;
    if (io.kind !== 'Pod') return undefined;
    const pod = this.objects.find(PODS, io.namespace ?? e.namespace, io.name);
    if (!pod || pod.spec?.nodeName !== node || (io.uid && io.uid !== pod.metadata.uid)) return undefined;
    return pod;
  }

  private take(node: string): boolean {
    const now = this.clock.now();
    const b = this.buckets.get(node) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(node, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
