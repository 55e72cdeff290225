// link: the agent's one connection to the server — an outbound MQTT session (the agent opens no
// port). See shared/mqtt/topics.ts for the topics.
//
// Session choices, and why:
// - clean: true. The server's desired state is retained, so it arrives on every subscribe anyway;
//   a persistent session would only make the broker queue stale log requests and messages for
//   nodes that are gone.
// - last will: {state:'offline'} on …/state, QoS 1, retained. The broker publishes it when the
//   socket dies without a DISCONNECT (power cut, cable pulled, crash); retained so that a server
//   subscribing later still reads the node's last known state. 'online' (on connect) and
//   'shutdown' (clean stop) are retained on the same topic and overwrite it.
// - heartbeats are QoS 0 and never queued: a late heartbeat says nothing true.
// - the node status is kept, not queued, while offline; the newest is sent on (re)connect, because
//   the server may have restarted (or lost messages) while the link was down. Pod reports carry
//   only the pods that changed, so they are dropped while offline and the agent asks the pod
//   manager to report every pod again on reconnect (onConnection).
// - reconnects back off with jitter, capped at 10s, driven here rather than by mqtt.js's fixed
//   reconnectPeriod, so hundreds of nodes do not hammer a server that is starting up.
import type { IClientOptions, MqttClient } from 'mqtt';
import type { DesiredState, EventEntry, LogChunk, LogRequest, NodeReport, PodStatusReport, StateMessage } from '../shared/mqtt/payloads.js';
import { decode, encode } from '../shared/mqtt/payloads.js';
import { CLUSTER_ROOT, clusterSubscriptions, topics } from '../shared/mqtt/topics.js';

export interface LinkLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface LinkOptions {
  url: string;
  /** ca: PEM of the cluster CA, for mqtts:// (the only trust root; system CAs are not used). */
  ca?: string;
  username: string;
  password: string;
  nodeName: string;
  heartbeatMs: number;
  logger: LinkLogger;
  /** backoff: delay before reconnect attempt n (0-based); injectable for tests. */
  backoff?: (attempt: number) => number;
  /** keepaliveSeconds: MQTT keepalive; the broker fires the will after 1.5× this of silence. */
  keepaliveSeconds?: number;
}

export type DesiredHandler = (s: DesiredState, retained: boolean) => void;
export type LogRequestHandler = (req: LogRequest, signal: AbortSignal) => void;

export interface Link {
  readonly connected: boolean;
  publishStatus(r: NodeReport): void;
  /** publishPods sends changed pods now, or drops them while offline (see onConnection). */
  publishPods(r: PodStatusReport): void;
  publishEvents(events: EventEntry[]): void;
  onDesired(cb: DesiredHandler): void;
  /** onCluster gets every message on the cluster-wide topics (services, network snapshot and changes), raw. */
  onCluster(cb: (topic: string, payload: Buffer) => void): void;
  /** requestNetworkSnapshot reads the retained network snapshot once more (it is read on every connect anyway). */
  requestNetworkSnapshot(): void;
  onLogRequest(cb: LogRequestHandler): void;
  /** onConnection is told when the link comes up (after 'online' is sent) and goes down. */
  onConnection(cb: (up: boolean) => void): void;
  /** sendLogChunk publishes one chunk (QoS 1, so a follow stream is paced by the broker). */
  sendLogChunk(id: string, chunk: Omit<LogChunk, 'v'>): Promise<void>;
  /** close publishes 'shutdown' (when connected) and disconnects cleanly; the will is not sent. */
  close(): Promise<void>;
}

export const MAX_BACKOFF_MS = 10_000;
const MAX_QUEUED_EVENTS = 200;
const CLOSE_TIMEOUT_MS = 3_000;

/** defaultBackoff: 0.5s, 1s, 2s … capped at 10s, each scaled by a random 50–100% (jitter). */
export function defaultBackoff(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt, 10)) * (0.5 + Math.random() / 2);
}

/** openLink starts connecting and returns at once: the agent works offline until the link is up. */
export async function openLink(o: LinkOptions): Promise<Link> {
  const { connect } = await import('mqtt'); // lazy: mqtt.js is ~20 MB of RSS, `bramble agent --help` needs none of it
  const link = new MqttLink(o);
  link.start(connect);
  return link;
}

class MqttLink implements Link {
  private client!: MqttClient;
  private readonly node: string;
  private desired: DesiredHandler[] = [];
  private clusterWatchers: ((topic: string, payload: Buffer) => void)[] = [];
  private logReq: LogRequestHandler[] = [];
  private connWatchers: ((up: boolean) => void)[] = [];
  private readonly logStreams = new Map<string, AbortController>();
  private lastStatus: NodeReport | undefined;
  private events: EventEntry[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private seq = 0;
  private stopping = false;
  private lastError = '';

  constructor(private readonly o: LinkOptions) {
    this.node = o.nodeName;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(connect: (url: string, opts: IClientOptions) => MqttClient): void {
    const opts: IClientOptions = {
      clientId: this.node,
      username: this.o.username,
      password: this.o.password,
      clean: true,
      // mqtt-packet otherwise pre-builds a Buffer for each of the 65,536 two-byte numbers (message
      // ids, lengths): 65,536 objects, ≈ 7 MB of heap — more than the rest of the agent's state.
      writeCache: false,
      // 15 s: the broker fires the will after 22.5 s of silence. A dead agent is noticed sooner
      // by its missing heartbeats, and a lossy link must not lose its session to a TCP stall.
      keepalive: this.o.keepaliveSeconds ?? 15,
      reconnectPeriod: 0, // reconnects are ours (scheduleReconnect)
      connectTimeout: 10_000,
      queueQoSZero: false,
      resubscribe: false, // we subscribe on every connect
      will: this.will(),
      ...(this.o.ca ? { ca: this.o.ca, rejectUnauthorized: true } : {}),
    };
    this.client = connect(this.o.url, opts);
    this.client.on('connect', () => this.onConnect());
    this.client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
    this.client.on('error', (e) => this.noteError(e));
    this.client.on('close', () => this.onClose());
  }

  private will(): IClientOptions['will'] {
    return { topic: topics.state(this.node), payload: encode(this.stateMessage('offline')), qos: 1, retain: true };
  }

  private stateMessage(state: StateMessage['state']): StateMessage {
    return { v: 1, state, time: new Date().toISOString() };
  }

  private onConnect(): void {
    this.attempt = 0;
    this.lastError = '';
    this.o.logger.info({ url: this.o.url }, 'connected to the server');
    const c = this.client;
    c.subscribe({
      [topics.desired(this.node)]: { qos: 1 },
      [topics.logRequest(this.node)]: { qos: 1 },
      [topics.logStop(this.node, '+')]: { qos: 1 },
      ...Object.fromEntries(clusterSubscriptions.map((t) => [t, { qos: 1 as const }])),
      // Read once, then unsubscribed (onMessage): republished snapshots must not reach every node.
      [topics.networkSnapshot]: { qos: 1 },
    });
    c.publish(topics.state(this.node), encode(this.stateMessage('online')), { qos: 1, retain: true });
    if (this.lastStatus) this.send(topics.status(this.node), this.lastStatus, true);
    this.flushEvents();
    this.beat();
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.beat(), this.o.heartbeatMs);
    for (const cb of this.connWatchers) cb(true);
  }

  private beat(): void {
    if (!this.connected) return;
    this.client.publish(topics.heartbeat(this.node), encode({ v: 1, seq: this.seq++, sent: Date.now() }), { qos: 0 });
  }

  private onClose(): void {
    const wasUp = this.heartbeat !== undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const ac of this.logStreams.values()) ac.abort();
    this.logStreams.clear();
    if (wasUp) {
      if (!this.stopping) this.o.logger.warn({ url: this.o.url }, 'lost the connection to the server; running on the last desired state');
      for (const cb of this.connWatchers) cb(false);
    }
    if (!this.stopping) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer) return;
    const delay = (this.o.backoff ?? defaultBackoff)(this.attempt++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stopping) return;
      this.client.options.will = this.will(); // fresh time in the will
      this.client.reconnect();
    }, delay);
  }

  // noteError logs each distinct failure once until the link is up again, so a server that is
  // down for a day does not fill the journal.
  private noteError(e: Error & { code?: string | number }): void {
    const msg = connectError(e);
    if (msg === this.lastError) return;
    this.lastError = msg;
    this.o.logger.warn({ url: this.o.url }, msg);
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (topic === topics.desired(this.node)) {
      if (payload.length === 0) return; // retained copy cleared (node deleted); nothing to do
      const s = decode<DesiredState>(payload);
      if (s) for (const cb of this.desired) cb(s, retained);
      else this.o.logger.warn({ topic }, 'ignoring a desired state this agent cannot read');
    } else if (topic === topics.logRequest(this.node)) {
      const req = decode<LogRequest>(payload);
      if (!req || typeof req.id !== 'string' || this.logStreams.has(req.id)) return;
      const ac = new AbortController();
      this.logStreams.set(req.id, ac);
      for (const cb of this.logReq) cb(req, ac.signal);
    } else if (topic.startsWith(`${CLUSTER_ROOT}/`)) {
      if (topic === topics.networkSnapshot) this.client.unsubscribe(topics.networkSnapshot);
      for (const cb of this.clusterWatchers) cb(topic, payload);
    } else {
      const m = /\/logs\/([^/]+)\/stop$/.exec(topic);
      if (m) this.endLogStream(m[1]);
    }
  }

  private endLogStream(id: string): void {
    this.logStreams.get(id)?.abort();
    this.logStreams.delete(id);
  }

  private send(topic: string, body: unknown, retain: boolean): void {
    if (this.connected) this.client.publish(topic, encode(body), { qos: 1, retain });
  }

  publishStatus(r: NodeReport): void {
    this.lastStatus = r;
    this.send(topics.status(this.node), r, true);
  }

  publishPods(r: PodStatusReport): void {
    this.send(topics.pods(this.node), r, false);
  }

  publishEvents(events: EventEntry[]): void {
    this.events.push(...events);
    if (this.events.length > MAX_QUEUED_EVENTS) this.events.splice(0, this.events.length - MAX_QUEUED_EVENTS);
    this.flushEvents();
  }

  private flushEvents(): void {
    if (!this.connected || this.events.length === 0) return;
    this.send(topics.events(this.node), { v: 1, events: this.events }, false);
    this.events = [];
  }

  onCluster(cb: (topic: string, payload: Buffer) => void): void {
    this.clusterWatchers.push(cb);
  }

  requestNetworkSnapshot(): void {
    if (this.connected) this.client.subscribe(topics.networkSnapshot, { qos: 1 });
  }

  onDesired(cb: DesiredHandler): void {
    this.desired.push(cb);
  }

  onLogRequest(cb: LogRequestHandler): void {
    this.logReq.push(cb);
  }

  onConnection(cb: (up: boolean) => void): void {
    this.connWatchers.push(cb);
  }

  sendLogChunk(id: string, chunk: Omit<LogChunk, 'v'>): Promise<void> {
    if (chunk.eof || chunk.error) this.logStreams.delete(id);
    if (!this.connected) return Promise.reject(new Error('not connected to the server'));
    return new Promise((resolve, reject) => {
      this.client.publish(topics.logChunk(this.node, id), encode({ v: 1, ...chunk }), { qos: 1 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    for (const ac of this.logStreams.values()) ac.abort();
    const c = this.client;
    if (c.connected) {
      const shutdown = encode(this.stateMessage('shutdown'));
      await withTimeout(new Promise<boolean>((resolve) => c.publish(topics.state(this.node), shutdown, { qos: 1, retain: true }, () => resolve(true))), CLOSE_TIMEOUT_MS);
      if (await withTimeout(new Promise<boolean>((resolve) => c.end(false, {}, () => resolve(true))), CLOSE_TIMEOUT_MS)) return;
    }
    // Not connected (or the clean end stalled): drop the socket. mqtt.js never calls back when
    // the socket is already gone, hence the timeout.
    const gone = !c.stream || c.stream.destroyed;
    const ended = new Promise<boolean>((resolve) => c.end(true, {}, () => resolve(true)));
    if (!gone) await withTimeout(ended, 1_000);
  }
}

/** withTimeout resolves to the promise's value, or false after ms. */
function withTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<boolean>((resolve) => (t = setTimeout(() => resolve(false), ms)))]).finally(() => clearTimeout(t));
}

/** connectError words a connection failure as one line. */
export function connectError(e: Error & { code?: string | number }): string {
  if (e.code === 4 || e.code === 5 || /not authori[sz]ed|bad user ?name or password/i.test(e.message)) {
    return 'the server refused this node\'s MQTT login (credentials revoked?); delete credentials.json in the data dir and join again with a token';
  }
  return `cannot reach the server's MQTT broker: ${e.message}`;
}
