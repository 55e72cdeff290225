// link tests run a tiny aedes broker over plain TCP on 127.0.0.1 and watch it with a second MQTT
// client, as the server would.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesiredState, LogRequest } from '../shared/mqtt/payloads.js';
import { topics } from '../shared/mqtt/topics.js';
import { connectError, defaultBackoff, type Link, MAX_BACKOFF_MS, openLink } from './link.js';

const NODE = 'pi-1';
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };

interface Seen {
  topic: string;
  body: any;
  retain: boolean;
}

let broker: Aedes;
let server: Server;
let sockets: Set<Socket>;
let url: string;
let observer: MqttClient;
let seen: Seen[];
let links: Link[];

beforeEach(async () => {
  broker = await Aedes.createBroker();
  sockets = new Set();
  server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    broker.handle(sock);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  seen = [];
  links = [];
  observer = await mqtt.connectAsync(url, { clientId: 'observer', reconnectPeriod: 0 });
  observer.on('message', (topic, payload, packet) => {
    seen.push({ topic, body: parse(payload), retain: packet.retain });
  });
  await observer.subscribeAsync(`${topics.prefix(NODE)}/#`, { qos: 1 });
});

afterEach(async () => {
  await Promise.all(links.map((l) => l.close()));
  await observer.endAsync(true);
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise((resolve) => server.close(resolve));
});

async function link(extra: Partial<Parameters<typeof openLink>[0]> = {}): Promise<Link> {
  const l = await openLink({ url, username: NODE, password: 'pw', nodeName: NODE, heartbeatMs: 40, logger: quiet, backoff: () => 20, ...extra });
  links.push(l);
  return l;
}

function parse(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return payload.toString();
  }
}

const on = (topic: string) => seen.filter((s) => s.topic === topic);
const states = () => on(topics.state(NODE)).map((s) => s.body.state);

describe('link', () => {
  it('announces itself online (retained) and sends heartbeats at the configured interval', async () => {
    await link();
    await vi.waitFor(() => expect(on(topics.heartbeat(NODE)).length).toBeGreaterThanOrEqual(4), { timeout: 2_000 });
    expect(on(topics.state(NODE))[0]).toMatchObject({ body: { v: 1, state: 'online' } });
    const beats = on(topics.heartbeat(NODE)).map((s) => s.body);
    expect(beats.map((b) => b.seq)).toEqual(beats.map((_, i) => i));
    expect(beats.every((b) => b.v === 1 && typeof b.sent === 'number')).toBe(true);
    const gaps = beats.slice(1).map((b, i) => b.sent - beats[i].sent);
    expect(Math.min(...gaps.slice(1))).toBeGreaterThanOrEqual(30);
  });

  it('leaves a retained last will that the broker publishes when the socket dies, then reconnects', async () => {
    const l = await link();
    await vi.waitFor(() => expect(l.connected).toBe(true));
    for (const s of sockets) if (s.remotePort !== localPortOf(observer)) s.destroy(); // the agent's socket, not the observer's
    await vi.waitFor(() => expect(states()).toEqual(['online', 'offline', 'online']), { timeout: 2_000 });
    // a server that subscribes only now still learns the state from the retained message
    const late = await mqtt.connectAsync(url, { clientId: 'late', reconnectPeriod: 0 });
    const got = new Promise<any>((resolve) => late.on('message', (_t, p, packet) => resolve({ body: JSON.parse(p.toString()), retain: packet.retain })));
    await late.subscribeAsync(topics.state(NODE), { qos: 1 });
    expect(await got).toMatchObject({ retain: true, body: { state: 'online' } });
    await late.endAsync(true);
  });

  it('publishes shutdown on a clean stop and the broker does not send the will', async () => {
    const l = await link();
    await vi.waitFor(() => expect(l.connected).toBe(true));
    await l.close();
    await vi.waitFor(() => expect(states()).toEqual(['online', 'shutdown']));
    await new Promise((r) => setTimeout(r, 150));
    expect(states()).toEqual(['online', 'shutdown']);
    const beats = on(topics.heartbeat(NODE)).length;
    await new Promise((r) => setTimeout(r, 120));
    expect(on(topics.heartbeat(NODE)).length).toBe(beats);
  });

  it('keeps only the newest status while offline, sends it and queued events on connect', async () => {
    const report = { v: 1 as const, capacity: { cpu: '4' }, allocatable: {}, conditions: [], addresses: [], nodeInfo: {}, labels: {} };
    const l = await link();
    expect(l.connected).toBe(false); // openLink returns before the connection is up
    l.publishStatus({ ...report, capacity: { cpu: '2' } });
    l.publishStatus(report);
    l.publishEvents([{ namespace: 'default', involvedObject: { kind: 'Pod', name: 'p' }, type: 'Normal', reason: 'Pulled', message: 'x' }]);
    await vi.waitFor(() => expect(on(topics.status(NODE))).toHaveLength(1));
    expect(on(topics.status(NODE))[0]).toMatchObject({ body: { capacity: { cpu: '4' } } });
    await vi.waitFor(() => expect(on(topics.events(NODE)).flatMap((m) => m.body.events.map((e: any) => e.reason))).toEqual(['Pulled']));
  });

  it('closes at once when it never reached the broker', async () => {
    const l = await openLink({ url: 'mqtt://127.0.0.1:1', username: NODE, password: 'pw', nodeName: NODE, heartbeatMs: 40, logger: quiet, backoff: () => 60_000 });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await l.close();
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('delivers the retained desired state, flagged as retained, and later updates', async () => {
    const desired = (revision: number): DesiredState => ({ v: 1, revision, pods: [], configMaps: [], secrets: [] });
    await observer.publishAsync(topics.desired(NODE), JSON.stringify(desired(5)), { qos: 1, retain: true });
    const got: [number, boolean][] = [];
    const l = await link();
    l.onDesired((s, retained) => got.push([s.revision, retained]));
    await vi.waitFor(() => expect(got).toEqual([[5, true]]));
    await observer.publishAsync(topics.desired(NODE), JSON.stringify(desired(6)), { qos: 1, retain: true });
    await observer.publishAsync(topics.desired(NODE), 'not json', { qos: 1 });
    await vi.waitFor(() => expect(got).toEqual([[5, true], [6, false]]));
  });

  it('hands log requests over with an abort signal that the server can trigger, and streams chunks back', async () => {
    const l = await link();
    const requests: { req: LogRequest; signal: AbortSignal }[] = [];
    l.onLogRequest((req, signal) => requests.push({ req, signal }));
    await vi.waitFor(() => expect(l.connected).toBe(true));
    await new Promise((r) => setTimeout(r, 50)); // subscriptions settle
    const req: LogRequest = { v: 1, id: 'r1', namespace: 'default', pod: 'p', uid: 'u', container: 'c', follow: true, previous: false, timestamps: false };
    await observer.publishAsync(topics.logRequest(NODE), JSON.stringify(req), { qos: 1 });
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    await l.sendLogChunk('r1', { seq: 0, data: Buffer.from('hello\n').toString('base64') });
    await vi.waitFor(() => expect(on(topics.logChunk(NODE, 'r1'))).toHaveLength(1));
    expect(on(topics.logChunk(NODE, 'r1'))[0].body).toEqual({ v: 1, seq: 0, data: 'aGVsbG8K' });
    expect(requests[0].signal.aborted).toBe(false);
    await observer.publishAsync(topics.logStop(NODE, 'r1'), '', { qos: 1 });
    await vi.waitFor(() => expect(requests[0].signal.aborted).toBe(true));
  });
});

function localPortOf(c: MqttClient): number | undefined {
  return (c.stream as unknown as Socket).localPort;
}

describe('backoff and errors', () => {
  it('backs off exponentially with jitter, capped', () => {
    for (let n = 0; n < 20; n++) {
      const d = defaultBackoff(n);
      expect(d).toBeLessThanOrEqual(MAX_BACKOFF_MS);
      expect(d).toBeGreaterThanOrEqual(Math.min(MAX_BACKOFF_MS, 500 * 2 ** n) / 2);
    }
  });

  it('words a refused login and an unreachable broker in one line', () => {
    expect(connectError(Object.assign(new Error('Connection refused: Not authorized'), { code: 5 }))).toMatch(/refused this node's MQTT login/);
    expect(connectError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8883'), { code: 'ECONNREFUSED' }))).toBe(
      "cannot reach the server's MQTT broker: connect ECONNREFUSED 127.0.0.1:8883",
    );
  });
});
