// mqtt: joining and the MQTT side of the server, end to end in process — a real server (libSQL
// file, HTTPS, the embedded broker over TLS) and real mqtt.js clients playing the agents.
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition, KubeObject } from '../../shared/api/meta.js';
import { tokenSecret } from '../../shared/join-token.js';
import {
  type DesiredState,
  decode,
  encode,
  isNetworkSnapshot,
  isServiceState,
  type LogRequest,
  type NetworkSnapshot,
  type NodeReport,
  type ServiceState,
} from '../../shared/mqtt/payloads.js';
import { topics } from '../../shared/mqtt/topics.js';
import { resolveOptions, UsageError } from '../../shared/options.js';
import { SERVER_OPTIONS, serverConfig } from '../../server/config.js';
import { type RunningServer, startServer } from '../../server/server.js';
import { type Api, apiFromKubeconfig, makeApi } from '../lib/api.js';
import { freePort } from '../lib/server-process.js';

interface Creds {
  nodeName: string;
  apiToken: string;
  mqtt: { url: string; username: string; password: string };
  caCert: string;
}

const JOIN_REFUSED = 'join token is invalid, expired or revoked';

async function waitFor<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const report = (node: string): NodeReport => ({
  v: 1,
  capacity: { cpu: '4', memory: '8Gi', pods: '110' },
  allocatable: { cpu: '4', memory: '7Gi', pods: '110' },
  conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'agent is ready' }],
  addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
  nodeInfo: { architecture: 'arm64', operatingSystem: 'linux' },
  labels: { 'kubernetes.io/hostname': node, 'kubernetes.io/arch': 'arm64' },
});

describe('MQTT: join, broker, ingest, desired state and logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-mqtt-'));
  let server: RunningServer;
  let admin: Api;
  let anon: Api;
  let mqttUrl: string;
  const creds: Record<string, Creds> = {};
  const clients: MqttClient[] = [];

  const post = (path: string, body: unknown, bearer?: string) => anon.call('POST', path, body, bearer ? { authorization: `Bearer ${bearer}` } : {});
  const joinWith = (bearer: string, nodeName: string) => post('/bramble/v1/join', { nodeName }, bearer);

  // connect is an agent's session: the node's credentials, TLS with the cluster CA, the will.
  const connect = async (node: string, extra: IClientOptions = {}) => {
    const c = await connectAsync(mqttUrl, {
      username: node,
      password: creds[node].mqtt.password,
      ca: server.pki.caCertPem,
      reconnectPeriod: 0,
      clean: true,
      will: { topic: topics.state(node), payload: encode({ v: 1, state: 'offline', time: new Date().toISOString() }), qos: 1, retain: true },
      ...extra,
    });
    clients.push(c);
    return c;
  };
  const messages = (c: MqttClient) => {
    const got: { topic: string; payload: Buffer; retain: boolean }[] = [];
    c.on('message', (topic, payload, packet) => got.push({ topic, payload, retain: packet.retain }));
    return got;
  };
  const node = async (name: string) => {
    const r = await admin.call('GET', `/api/v1/nodes/${name}`);
    return r.status === 200 ? (r.json() as KubeObject) : undefined;
  };
  const ready = (n: KubeObject | undefined) => (n?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready')?.status;

  beforeAll(async () => {
    const mqttPort = await freePort();
    const { values } = resolveOptions(
      SERVER_OPTIONS,
      ['--data-dir', dir, '--https-port', '0', '--mqtt-port', String(mqttPort), '--bind-address', '127.0.0.1', '--no-agent', '--node-monitor-grace-period', '20s'],
      {},
    );
    server = await startServer(serverConfig(values), { logger: pino({ level: 'silent' }) });
    admin = apiFromKubeconfig(server.kubeconfigPath);
    anon = makeApi(server.url, '', server.pki.caCertPem);
    mqttUrl = `mqtts://127.0.0.1:${server.mqttPort}`;
    expect(server.mqttPort).toBe(mqttPort);
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the CA without credentials and lets nodes join with the node-token', async () => {
    const token = readFileSync(join(dir, 'node-token'), 'utf8').trim();
    const m = /^K10([0-9a-f]{64})::([a-z0-9]{6}\.[a-z0-9]{16})$/.exec(token)!;
    expect(m).not.toBeNull();
    const ca = await anon.call('GET', '/cacerts');
    expect(ca.status).toBe(200);
    expect(createHash('sha256').update(new X509Certificate(ca.text).raw).digest('hex')).toBe(m[1]);

    for (const name of ['pi-a', 'pi-b']) {
      const res = await joinWith(m[2], name);
      expect(res.status).toBe(200);
      creds[name] = res.json();
      expect(creds[name]).toMatchObject({ nodeName: name, mqtt: { url: mqttUrl, username: name }, caCert: server.pki.caCertPem });
    }
    const own = makeApi(server.url, creds['pi-a'].apiToken, server.pki.caCertPem);
    expect((await own.call('GET', '/api/v1/namespaces/kube-system/secrets')).status).toBe(403);
  });

  it('refuses wrong, expired and revoked join tokens with one message', async () => {
    const expired = { id: 'exp001', secret: '0123456789abcdef' };
    expect((await admin.call('POST', '/api/v1/namespaces/kube-system/secrets', tokenSecret(expired, 'expired', Date.now() - 60_000))).status).toBe(201);
    const revoked = { id: 'rev001', secret: 'fedcba9876543210' };
    expect((await admin.call('POST', '/api/v1/namespaces/kube-system/secrets', tokenSecret(revoked, 'revoked'))).status).toBe(201);
    expect((await joinWith('rev001.fedcba9876543210', 'pi-x')).status).toBe(200);
    expect((await admin.call('DELETE', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-rev001')).status).toBe(200);

    for (const bearer of ['rev001.fedcba9876543210', 'exp001.0123456789abcdef', 'rev001.0000000000000000', 'garbage']) {
      const res = await joinWith(bearer, 'pi-x');
      expect(res.status, bearer).toBe(401);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: JOIN_REFUSED });
    }
  });

  it('refuses MQTT clients without valid credentials', async () => {
    const opts = { ca: server.pki.caCertPem, reconnectPeriod: 0, connectTimeout: 5_000 };
    await expect(connectAsync(mqttUrl, opts)).rejects.toThrow(/not authori[sz]ed/i);
    await expect(connectAsync(mqttUrl, { ...opts, username: 'pi-a', password: 'nope' })).rejects.toThrow(/bad user ?name or password/i);
    await expect(connectAsync(mqttUrl, { ...opts, username: 'pi-a', password: creds['pi-b'].mqtt.password })).rejects.toThrow(/bad user ?name or password/i);
  });

  it("keeps a node out of another node's topics", async () => {
    const a = await connect('pi-a');
    await expect(a.subscribeAsync(topics.desired('pi-b'))).rejects.toMatchObject({ packet: { granted: [128] } });
    await expect(a.subscribeAsync('bramble/v1/nodes/+/desired')).rejects.toMatchObject({ packet: { granted: [128] } });
    await expect(a.subscribeAsync('#')).rejects.toMatchObject({ packet: { granted: [128] } });
    await a.subscribeAsync(topics.desired('pi-a'));

    const closed = new Promise<void>((r) => a.once('close', () => r()));
    a.publish(topics.status('pi-b'), encode(report('pi-b')), { qos: 0 });
    await closed;
    await sleep(300);
    expect(await node('pi-b')).toBeUndefined();
  });

  it('keeps heartbeats in memory and writes the Lease only when due', async () => {
    const a = await connect('pi-a');
    a.publish(topics.heartbeat('pi-a'), encode({ v: 1, seq: 0, sent: Date.now() }));
    const lease = await waitFor('the lease', async () => {
      const r = await admin.call('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/pi-a');
      return r.status === 200 && (r.json() as KubeObject);
    });
    expect(lease.spec.holderIdentity).toBe('pi-a');
    for (let i = 1; i <= 5; i++) {
      a.publish(topics.heartbeat('pi-a'), encode({ v: 1, seq: i, sent: Date.now() }));
      await sleep(150);
    }
    const after = (await admin.call('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/pi-a')).json();
    expect(after.metadata.resourceVersion).toBe(lease.metadata.resourceVersion);
  });

  it('turns a NodeReport into a Ready Node with its capacity', async () => {
    const a = await connect('pi-a');
    a.publish(topics.status('pi-a'), encode(report('pi-a')), { qos: 1 });
    const n = await waitFor('node pi-a Ready', async () => {
      const x = await node('pi-a');
      return ready(x) === 'True' && x;
    });
    expect(n.status.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(n.status.allocatable.memory).toBe('7Gi');
    expect(n.metadata.labels?.['kubernetes.io/arch']).toBe('arm64');
    // The ingest sets no spec; only the pod CIDR allocator may have given it a range by now.
    expect(Object.keys(n.spec).filter((k) => !k.startsWith('podCIDR'))).toEqual([]);
  });

  it('publishes desired state to the pod’s node only, retained for reconnects', async () => {
    const a = await connect('pi-a');
    const b = await connect('pi-b');
    const gotA = messages(a);
    const gotB = messages(b);
    await a.subscribeAsync(topics.desired('pi-a'), { qos: 1 });
    await b.subscribeAsync(topics.desired('pi-b'), { qos: 1 });

    await admin.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-conf' }, data: { port: '80' } });
    await admin.call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-pw' }, stringData: { pw: 'hunter2' } });
    const created = await admin.call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        nodeName: 'pi-a',
        containers: [{ name: 'web', image: 'nginx', env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'web-pw', key: 'pw' } } }] }],
        volumes: [{ name: 'conf', configMap: { name: 'web-conf' } }],
      },
    });
    expect(created.status).toBe(201);

    const state = await waitFor('desired state with the pod', () =>
      gotA.map((m) => decode<DesiredState>(m.payload)).find((s) => s?.pods.some((p) => p.metadata.name === 'web')),
    );
    expect(state.configMaps.map((c) => c.metadata.name)).toEqual(['web-conf']);
    expect(state.secrets.map((s) => s.metadata.name)).toEqual(['web-pw']);
    await sleep(200);
    for (const m of gotB) {
      const text = m.payload.toString();
      expect(text).not.toContain('web-pw');
      expect(text).not.toContain('"web"');
    }

    // A new session of pi-a (it replaces the old one) gets the retained state at once.
    const again = await connect('pi-a');
    const gotAgain = messages(again);
    const t0 = Date.now();
    await again.subscribeAsync(topics.desired('pi-a'), { qos: 1 });
    const retained = await waitFor('the retained desired state', () => gotAgain.find((m) => m.retain), 1_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(decode<DesiredState>(retained.payload)!.pods.map((p) => p.metadata.name)).toEqual(['web']);
  });

  it('writes pod status reports and finishes graceful deletion', async () => {
    const a = await connect('pi-a');
    const pod = (await admin.call('GET', '/api/v1/namespaces/default/pods/web')).json() as KubeObject;
    const entry = { namespace: 'default', name: 'web', uid: pod.metadata.uid!, status: { phase: 'Running', podIP: '10.42.0.7', conditions: [{ type: 'Ready', status: 'True' }] } };
    a.publish(topics.pods('pi-a'), encode({ v: 1, pods: [entry, { ...entry, name: 'web', uid: 'someone-else' }] }), { qos: 1 });
    const running = await waitFor('pod Running', async () => {
      const p = (await admin.call('GET', '/api/v1/namespaces/default/pods/web')).json();
      return p.status?.phase === 'Running' && p;
    });
    expect(running.status.podIP).toBe('10.42.0.7');

    expect((await admin.call('DELETE', '/api/v1/namespaces/default/pods/web')).status).toBe(200);
    const deleting = (await admin.call('GET', '/api/v1/namespaces/default/pods/web')).json();
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    a.publish(topics.pods('pi-a'), encode({ v: 1, pods: [{ ...entry, status: { phase: 'Succeeded' }, terminated: true }] }), { qos: 1 });
    await waitFor('pod gone', async () => (await admin.call('GET', '/api/v1/namespaces/default/pods/web')).status === 404);
  });

  it('streams pod logs from the agent over MQTT', async () => {
    const a = await connect('pi-a');
    const requests: LogRequest[] = [];
    const stops: string[] = [];
    a.on('message', (topic, payload) => {
      if (topic.endsWith('/stop')) return void stops.push(topic);
      const req = decode<LogRequest>(payload)!;
      requests.push(req);
      const chunk = (seq: number, o: object) => a.publish(topics.logChunk('pi-a', req.id), encode({ v: 1, seq, ...o }), { qos: 1 });
      chunk(0, { data: Buffer.from('line 1\nline 2\n').toString('base64') });
      if (!req.follow) return void chunk(1, { eof: true });
      setTimeout(() => chunk(1, { data: Buffer.from('line 3\n').toString('base64') }), 300);
    });
    await a.subscribeAsync([topics.logRequest('pi-a'), topics.logStop('pi-a', '+')], { qos: 1 });
    for (const [name, nodeName] of [
      ['logger', 'pi-a'],
      ['silent', 'pi-b'],
    ]) {
      const res = await admin.call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'app', image: 'busybox' }] } });
      expect(res.status).toBe(201);
    }

    const plain = await admin.call('GET', '/api/v1/namespaces/default/pods/logger/log?tailLines=10');
    expect(plain.status).toBe(200);
    expect(plain.text).toBe('line 1\nline 2\n');
    expect(requests[0]).toMatchObject({ namespace: 'default', pod: 'logger', container: 'app', follow: false, tailLines: 10 });

    const lines: string[] = [];
    const follow = admin.stream('/api/v1/namespaces/default/pods/logger/log?follow=true', (l) => lines.push(l));
    await waitFor('three followed lines', () => lines.length === 3);
    expect(lines).toEqual(['line 1', 'line 2', 'line 3']);
    follow.close();
    await waitFor('the stop message', () => stops.length === 1);
    expect(stops[0]).toBe(topics.logStop('pi-a', requests[1].id));

    const silent = await admin.call('GET', '/api/v1/namespaces/default/pods/silent/log');
    expect(silent.text).toMatch(/^error: node pi-b did not answer the log request within 5s\n$/);
  });

  it('shares services and the network map with every node, read-only', async () => {
    const b = await connect('pi-b');
    const got = messages(b);
    await b.subscribeAsync([topics.services, topics.networkSnapshot, topics.networkChanges], { qos: 1 });
    const created = await admin.call('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'front' },
      spec: { type: 'LoadBalancer', selector: { app: 'front' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    expect(created.status).toBe(201);
    // pi-b gets it, with the endpoints and the load balancer ingress (pi-a's InternalIP).
    const state = await waitFor('the service state with its ingress', () =>
      got
        .filter((m) => m.topic === topics.service('default', 'front'))
        .map((m) => decode<ServiceState>(m.payload))
        .find((st) => st?.endpoints && st.service.status?.loadBalancer?.ingress?.length),
    );
    expect(isServiceState(state)).toBe(true);
    expect(state.service.metadata).toMatchObject({ name: 'front', namespace: 'default', uid: created.json().metadata.uid });
    expect(state.service.spec.ports?.[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(state.service.status!.loadBalancer!.ingress).toEqual([{ ip: '127.0.0.1' }]);
    expect((await admin.call('GET', '/api/v1/namespaces/default/services/front')).json().status.loadBalancer.ingress).toEqual([{ ip: '127.0.0.1' }]);
    const snapshot = await waitFor('the network snapshot with pi-a', () =>
      got
        .filter((m) => m.topic === topics.networkSnapshot)
        .map((m) => decode<NetworkSnapshot>(m.payload))
        .find((s) => s?.nodes.some((n) => n.name === 'pi-a')),
    );
    expect(isNetworkSnapshot(snapshot)).toBe(true);
    expect(snapshot.clusterCIDR).toBe('10.42.0.0/16');
    expect(snapshot.nodes.find((n) => n.name === 'pi-a')).toMatchObject({ podCIDR: expect.stringMatching(/^10\.42\./), addresses: ['127.0.0.1'] });

    // A reconnecting node gets all of it at once, retained.
    const again = await connect('pi-b');
    const retained = messages(again);
    await again.subscribeAsync('bramble/v1/cluster/#', { qos: 1 });
    await waitFor('the retained cluster topics', () => retained.some((m) => m.retain && m.topic === topics.service('default', 'front')) && retained.some((m) => m.retain && m.topic === topics.networkSnapshot), 1_000);

    // Deleting the service clears its retained topic.
    expect((await admin.call('DELETE', '/api/v1/namespaces/default/services/front')).status).toBe(200);
    await waitFor('the cleared service topic', () => retained.some((m) => m.topic === topics.service('default', 'front') && m.payload.length === 0));

    // Nodes may not publish there: the session is closed and nothing reaches other subscribers.
    const watcher = await connect('pi-a');
    const seen = messages(watcher);
    await watcher.subscribeAsync(topics.services, { qos: 1 });
    const closed = new Promise<void>((r) => again.once('close', () => r()));
    again.publish(topics.service('default', 'fake'), encode({ v: 1, service: { metadata: { name: 'fake', namespace: 'default' }, spec: {} }, endpoints: null }), { qos: 0, retain: true });
    await closed;
    await sleep(300);
    expect(seen.some((m) => m.topic === topics.service('default', 'fake'))).toBe(false);
  });

  it('makes a node whose session dies NotReady at once, through its last will', async () => {
    const a = await connect('pi-a');
    a.publish(topics.state('pi-a'), encode({ v: 1, state: 'online', time: new Date().toISOString() }), { qos: 1, retain: true });
    a.publish(topics.status('pi-a'), encode(report('pi-a')), { qos: 1 });
    await waitFor('node pi-a Ready', async () => ready(await node('pi-a')) === 'True');
    const t0 = Date.now();
    a.stream.destroy();
    const n = await waitFor('node pi-a not Ready', async () => {
      const x = await node('pi-a');
      return ready(x) !== 'True' && x;
    });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(ready(n)).toBe('Unknown');
    expect(n.spec.taints?.map((t: { key: string }) => t.key)).toContain('node.kubernetes.io/unreachable');

    // It comes back with its next session.
    const back = await connect('pi-a');
    back.publish(topics.heartbeat('pi-a'), encode({ v: 1, seq: 0, sent: Date.now() }));
    await waitFor('node pi-a Ready again', async () => ready(await node('pi-a')) === 'True');
  });
});

describe('--mqtt-url (an external broker; end to end in mosquitto.test.ts)', () => {
  const refused = async (args: string[], message: RegExp) => {
    const dir = mkdtempSync(join(tmpdir(), 'bramble-mqtt-url-'));
    try {
      const { values } = resolveOptions(SERVER_OPTIONS, ['--data-dir', dir, ...args], {});
      const started = startServer(serverConfig(values), { logger: pino({ level: 'silent' }) });
      await expect(started).rejects.toBeInstanceOf(UsageError);
      await expect(started).rejects.toThrow(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('takes mqtts:// only, with the broker admin account', async () => {
    await refused(['--mqtt-url', 'mqtt://admin:pw@broker.local:1883'], /only mqtts:\/\//);
    await refused(['--mqtt-url', 'mqtts://broker.local:8883'], /admin account/);
    await refused(['--mqtt-url', 'mqtts://admin@broker.local:8883'], /admin account/);
    await refused(['--mqtt-url', 'mqtts://admin:pw@broker.local:8883', '--mqtt-ca', '/nonexistent/ca.crt'], /--mqtt-ca: cannot read/);
    await refused(['--mqtt-url', 'mqtts://admin:pw@broker.local:8883', '--mqtt-advertise-url', 'mqtts://admin:pw@broker.local:8883'], /must not carry credentials/);
  });

  it('refuses the external broker flags without --mqtt-url', async () => {
    await refused(['--mqtt-username', 'admin'], /--mqtt-username is for an external broker/);
    await refused(['--mqtt-ca', '/etc/ssl/ca.crt'], /--mqtt-ca is for an external broker/);
  });
});
