// ingest: what agents send, turned into objects. One server-side subscription per agent→server
// topic, for all nodes at once (bramble/v1/nodes/+/<kind>); the node is the topic's second level,
// which the broker's ACL guarantees is the sender.
//
//   state      online → a sign of life; offline (the last will, sent by the broker when a session
//              dies) and shutdown (a clean stop) → the node is gone: NotReady at once
//   heartbeat  in memory (heartbeats.ts); the Lease only now and then (node-lease.ts)
//   status     NodeReport → Node (node-status.ts), coalesced per node
//   pods       PodStatusReport → pod statuses (pod-status.ts), coalesced per pod
//   events     EventReport → Events (node-events.ts), rate-capped per node
//
// Every message from a node counts as a sign of life.
import type { Logger } from 'pino';
import { findResource } from '../../shared/api/resources.js';
import type { Clock } from '../../shared/clock.js';
import { decode, type EventReport, type Heartbeat, type NodeReport, type PodStatusEntry, type PodStatusReport, type StateMessage } from '../../shared/mqtt/payloads.js';
import { nodeOfTopic, ROOT } from '../../shared/mqtt/topics.js';
import type { EventRecorder } from '../controllers/events.js';
import type { ObjectService } from '../objects/object-service.js';
import type { Bus } from './bus.js';
import { Coalescer } from './coalescer.js';
import type { NodeHeartbeats } from './heartbeats.js';
import { type EventRateOptions, NodeEvents } from './node-events.js';
import { NodeLeases } from './node-lease.js';
import { NodeStatusWriter } from './node-status.js';
import { applyPodStatus, podEntryKey } from './pod-status.js';

const NODES = findResource('', 'v1', 'nodes')!;

export interface IngestDeps {
  bus: Bus;
  objects: ObjectService;
  clock: Clock;
  logger: Logger;
  heartbeats: NodeHeartbeats;
  events: EventRecorder;
  eventRate?: EventRateOptions;
}

export class Ingest {
  private readonly leases: NodeLeases;
  private readonly nodeStatus: NodeStatusWriter;
  private readonly nodeEvents: NodeEvents;
  private readonly statusQueue: Coalescer<NodeReport>;
  private readonly podQueue: Coalescer<Map<string, PodStatusEntry>>;
  private unsubscribes: (() => Promise<void>)[] = [];
  private readonly leaseWrites = new Set<Promise<void>>();

  private constructor(private readonly d: IngestDeps) {
    const warn = (what: string) => (err: unknown, node: string) => d.logger.warn({ err, node }, `could not apply ${what}`);
    this.leases = new NodeLeases(d.objects, { onError: (err, node) => d.logger.warn({ err, node }, 'could not renew the node lease') });
    this.nodeStatus = new NodeStatusWriter(d.objects, d.clock);
    this.nodeEvents = new NodeEvents(d.objects, d.events, d.clock, d.eventRate);
    this.statusQueue = new Coalescer((node, r) => this.nodeStatus.write(node, r), undefined, warn('node status'));
    this.podQueue = new Coalescer(
      async (node, entries) => {
        await Promise.all([...entries.values()].map((e) => applyPodStatus(d.objects, node, e)));
      },
      (a, b) => new Map([...a, ...b]),
      warn('pod statuses'),
    );
  }

  static async start(d: IngestDeps): Promise<Ingest> {
    const ingest = new Ingest(d);
    await ingest.subscribe();
    return ingest;
  }

  async close(): Promise<void> {
    await Promise.all(this.unsubscribes.map((u) => u()));
    this.unsubscribes = [];
    await this.idle();
    await this.leases.close();
  }

  /** idle resolves when every queued write is done (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([this.statusQueue.idle(), this.podQueue.idle(), ...this.leaseWrites]);
  }

  private async subscribe(): Promise<void> {
    const on = async (kind: string, handle: (node: string, payload: Buffer) => void) => {
      const unsubscribe = await this.d.bus.subscribe(`${ROOT}/+/${kind}`, (topic, payload) => {
        const node = nodeOfTopic(topic);
        if (node) handle(node, payload);
      });
      this.unsubscribes.push(unsubscribe);
    };
    await Promise.all([
      on('state', (node, p) => this.onState(node, p)),
      on('heartbeat', (node, p) => this.alive(node, decode<Heartbeat>(p)?.sent)),
      on('status', (node, p) => {
        this.alive(node);
        const r = decode<NodeReport>(p);
        if (r) this.statusQueue.submit(node, r);
      }),
      on('pods', (node, p) => {
        this.alive(node);
        const r = decode<PodStatusReport>(p);
        if (!r || !Array.isArray(r.pods)) return;
        const entries = r.pods.filter((e) => e && typeof e.namespace === 'string' && typeof e.name === 'string' && typeof e.uid === 'string');
        this.podQueue.submit(node, new Map(entries.map((e) => [podEntryKey(e), e])));
      }),
      on('events', (node, p) => {
        this.alive(node);
        const r = decode<EventReport>(p);
        if (r) this.nodeEvents.record(node, r);
      }),
    ]);
  }

  private onState(node: string, payload: Buffer): void {
    const state = decode<StateMessage>(payload)?.state ?? payload.toString('utf8').trim();
    switch (state) {
      case 'online':
        this.d.logger.info({ node }, 'node agent online');
        this.alive(node);
        return;
      case 'offline':
      case 'shutdown':
        this.d.logger.info({ node, state }, state === 'offline' ? 'node agent disconnected' : 'node agent shut down');
        this.d.heartbeats.gone(node, state);
        return;
      default:
        this.d.logger.debug({ node }, 'ignoring an unknown node state');
    }
  }

  // alive: a sign of life. Memory always; the Lease when due; the Node again if it was deleted.
  private alive(node: string, sentAt?: number): void {
    const now = this.d.clock.now();
    const news = this.d.heartbeats.seen(node, now, typeof sentAt === 'number' ? sentAt : undefined);
    const write = this.leases.renew(node, now, news).catch((err) => this.d.logger.warn({ err, node }, 'could not renew the node lease'));
    this.leaseWrites.add(write);
    void write.finally(() => this.leaseWrites.delete(write));
    if (news || !this.d.objects.find(NODES, '', node)) {
      const report = this.nodeStatus.missingNode(node);
      if (report) this.statusQueue.submit(node, report);
    }
  }
}
