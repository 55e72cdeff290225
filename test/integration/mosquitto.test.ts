// mosquitto: `bramble server --mqtt-url mqtts://…` against a real Eclipse Mosquitto (Debian's, with
// the dynamic security plugin; test/lib/mosquitto.ts) — the server as a child process, nodes that
// join over HTTPS and talk MQTT to Mosquitto with their own credentials: the agent's own link
// (agent/link.ts) and bare mqtt.js clients. Mirrors the broker security of mqtt.test.ts: per-node
// accounts and ACLs, client ids bound to nodes, last will, TLS with a CA other than the cluster's
// (--mqtt-ca), revocation, and the accounts reconciled at start.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Link, openLink } from '../../agent/link.js';
import type { Condition, KubeObject } from '../../shared/api/meta.js';
import { type DesiredState, decode, encode, type LogRequest, type NodeReport } from '../../shared/mqtt/payloads.js';
import { topics } from '../../shared/mqtt/topics.js';
import { Dynsec } from '../../server/mqtt/dynsec.js';
import { NODE_GROUP, nodeRoleName, SERVER_ROLE } from '../../server/mqtt/dynsec-accounts.js';
import { connectMqttBus, type MqttBus } from '../../server/mqtt/mqtt-bus.js';
import { type Api, makeApi } from '../lib/api.js';
import { type Mosquitto, startMosquitto } from '../lib/mosquitto.js';
import { type ServerProcess, startServerProcess } from '../lib/server-process.js';

interface Creds {
  nodeName: string;
  apiToken: string;
  mqtt: { url: string; username: string; password: string };
  caCert: string;
}

async function waitFor<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REFUSED = /not authori[sz]ed|bad user ?name or password/i;

const report = (node: string): NodeReport => ({
  v: 1,
  capacity: { cpu: '4', memory: '8Gi', pods: '110' },
  allocatable: { cpu: '4', memory: '7Gi', pods: '110' },
  conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'agent is ready' }],
  addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
  nodeInfo: { architecture: 'arm64', operatingSystem: 'linux' },
  labels: { 'kubernetes.io/hostname': node, 'kubernetes.io/arch': 'arm64' },
});

describe('external broker: bramble server --mqtt-url against Mosquitto', () => {
  const root = mkdtempSync(join(tmpdir(), 'bramble-mosquitto-test-'));
  const dataDir = join(root, 'server');
  const caFile = join(root, 'broker-ca.crt');
  let mosq: Mosquitto;
  let server: ServerProcess;
  let admin: Api;
  let anon: Api;
  let inspector: MqttBus | undefined;
  let dynsec: Dynsec;
  const creds: Record<string, Creds> = {};
  const clients: MqttClient[] = [];
  const links: Link[] = [];
  const silent = pino({ level: 'silent' });

  const serverArgs = () => ['--mqtt-url', `mqtts://${mosq.admin.username}@127.0.0.1:${mosq.port}`, '--mqtt-ca', caFile, '--node-monitor-grace-period', '20s'];
  const startServer = async () => {
    server = await startServerProcess(dataDir, { args: serverArgs(), env: { BRAMBLE_MQTT_PASSWORD: mosq.admin.password } });
    admin = server.api;
    anon = makeApi(admin.url, '', admin.ca);
  };
  const joinAs = async (nodeName: string) => {
    const token = readFileSync(join(dataDir, 'node-token'), 'utf8').trim().split('::')[1];
    return anon.call('POST', '/bramble/v1/join', { nodeName }, { authorization: `Bearer ${token}` });
  };
  // connect is an agent's session: the node's credentials and client id, TLS with the CA bundle from the join, the will.
  const connect = async (node: string, extra: IClientOptions = {}) => {
    const c = await connectAsync(mosq.url, {
      clientId: node,
      username: node,
      password: creds[node].mqtt.password,
      ca: creds[node].caCert,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      clean: true,
      will: { topic: topics.state(node), payload: encode({ v: 1, state: 'offline', time: new Date().toISOString() }), qos: 1, retain: true },
      ...extra,
    });
    clients.push(c);
    return c;
  };
  const refusedConnect = (opts: IClientOptions) => connectAsync(mosq.url, { ca: mosq.caPem, reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
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
  const brokerClient = async (username: string) => {
    const r = await dynsec.one({ command: 'getClient', username }, ['Client not found']);
    return r.error ? undefined : r.data.client;
  };
  const brokerRoles = async () => (await dynsec.one({ command: 'listRoles' })).data.roles as string[];
  // The test's own view of the broker: the admin account, opened once the server has set it up
  // (adding the server's role drops every session of the account).
  const openInspector = async () => {
    inspector = await connectMqttBus({ url: mosq.url, username: mosq.admin.username, password: mosq.admin.password, ca: mosq.caPem, logger: silent, clientId: 'bramble-test-inspector' });
    dynsec = await Dynsec.open(inspector);
  };

  beforeAll(async () => {
    mosq = await startMosquitto();
    writeFileSync(caFile, mosq.caPem);
    await startServer();
    await openInspector();
  });

  afterAll(async () => {
    for (const l of links) await l.close().catch(() => {});
    for (const c of clients) c.end(true);
    await dynsec?.close().catch(() => {});
    await inspector?.close().catch(() => {});
    await server?.stop();
    await mosq?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("gives the server's account its role and refuses a wrong admin password", async () => {
    const account = await brokerClient(mosq.admin.username);
    expect(account.roles.map((r: { rolename: string }) => r.rolename)).toContain(SERVER_ROLE);

    const other = mkdtempSync(join(root, 'bad-'));
    await expect(
      startServerProcess(other, { args: ['--mqtt-url', `mqtts://${mosq.admin.username}:wrong@127.0.0.1:${mosq.port}`, '--mqtt-ca', caFile] }),
    ).rejects.toThrow(/refused the server's account/);
    // Without --mqtt-ca the broker's certificate (not from the cluster CA) is not trusted.
    const third = mkdtempSync(join(root, 'noca-'));
    await expect(
      startServerProcess(third, { args: ['--mqtt-url', `mqtts://127.0.0.1:${mosq.port}`, '--mqtt-username', mosq.admin.username], env: { BRAMBLE_MQTT_PASSWORD: mosq.admin.password } }),
    ).rejects.toThrow(/certificate the server does not trust/);
  });

  it('lets nodes join: their accounts are on the broker, the answer names the broker and its CA', async () => {
    for (const name of ['pi-a', 'pi-b']) {
      const res = await joinAs(name);
      expect(res.status, res.text).toBe(200);
      creds[name] = res.json();
      expect(creds[name].mqtt).toMatchObject({ url: mosq.url, username: name });
      // The cluster CA first (the agent's trust for the API), then the broker's.
      expect(creds[name].caCert.startsWith(admin.ca.trimEnd())).toBe(true);
      expect(creds[name].caCert).toContain(mosq.caPem.trim());
      const account = await brokerClient(name);
      expect(account).toMatchObject({ username: name, clientid: name, roles: [{ rolename: nodeRoleName(name) }], groups: [{ groupname: NODE_GROUP }] });
    }
    expect(JSON.stringify(creds['pi-a'])).not.toContain(mosq.admin.password);
  });

  it("connects the agent's link: heartbeats and status make a Ready Node", async () => {
    const c = creds['pi-a'];
    const lines: string[] = [];
    const logger = { info: (_: object, m: string) => lines.push(m), warn: (_: object, m: string) => lines.push(m), debug: () => {} };
    const link = await openLink({ url: c.mqtt.url, ca: c.caCert, username: c.mqtt.username, password: c.mqtt.password, nodeName: 'pi-a', heartbeatMs: 300, logger });
    links.push(link);
    const desired: DesiredState[] = [];
    const cluster: string[] = [];
    link.onDesired((s) => desired.push(s));
    link.onCluster((topic) => cluster.push(topic));
    await waitFor('the link up', () => link.connected);
    link.publishStatus(report('pi-a'));
    const n = await waitFor('node pi-a Ready', async () => {
      const x = await node('pi-a');
      return ready(x) === 'True' && x;
    });
    expect(n.status.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    const lease = await waitFor('the lease', async () => {
      const r = await admin.call('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/pi-a');
      return r.status === 200 && (r.json() as KubeObject);
    });
    expect(lease.spec.holderIdentity).toBe('pi-a');

    // Server → node through Mosquitto: the desired state (retained) and the network map.
    const created = await admin.call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: { nodeName: 'pi-a', containers: [{ name: 'web', image: 'nginx' }] },
    });
    expect(created.status).toBe(201);
    await waitFor('desired state with the pod', () => desired.some((s) => s.pods.some((p) => p.metadata.name === 'web')));
    await waitFor('the network snapshot', () => cluster.includes(topics.networkSnapshot));
    expect(lines.some((l) => /refused/.test(l))).toBe(false);

    // A clean stop: 'shutdown' on its state topic makes it NotReady at once.
    await link.close();
    await waitFor('node pi-a not Ready after shutdown', async () => ready(await node('pi-a')) !== 'True');
  });

  it('refuses clients without valid credentials, or under another client id', async () => {
    await expect(refusedConnect({})).rejects.toThrow(REFUSED);
    await expect(refusedConnect({ clientId: 'pi-a', username: 'pi-a', password: 'nope' })).rejects.toThrow(REFUSED);
    await expect(refusedConnect({ clientId: 'pi-a', username: 'pi-a', password: creds['pi-b'].mqtt.password })).rejects.toThrow(REFUSED);
    // pi-b's own credentials, pi-a's client id: no session takeover, no firing pi-a's will.
    await expect(refusedConnect({ clientId: 'pi-a', username: 'pi-b', password: creds['pi-b'].mqtt.password })).rejects.toThrow(REFUSED);
    await expect(refusedConnect({ clientId: 'some-id', username: 'pi-a', password: creds['pi-a'].mqtt.password })).rejects.toThrow(REFUSED);
  });

  it("keeps a node out of other nodes' topics and off the cluster topics", async () => {
    const b = await connect('pi-b');
    const seenByB = messages(b);
    await b.subscribeAsync([topics.status('pi-b'), 'bramble/v1/cluster/#'], { qos: 1 });
    const seenByServer: { topic: string; payload: Buffer }[] = [];
    const stopWatching = await inspector!.subscribe('bramble/v1/#', (topic, payload) => seenByServer.push({ topic, payload }));

    const a = await connect('pi-a');
    for (const t of [topics.desired('pi-b'), 'bramble/v1/nodes/+/desired', '#', 'bramble/v1/#', 'bramble/v1/cluster', topics.prefix('pi-a'), '$CONTROL/dynamic-security/v1/response']) {
      await expect(a.subscribeAsync(t, { qos: 1 }), t).rejects.toMatchObject({ packet: { granted: [128] } });
    }
    for (const t of [topics.desired('pi-a'), topics.logStop('pi-a', '+'), 'bramble/v1/cluster/#', 'bramble/v1/cluster/services/+/+']) {
      expect((await a.subscribeAsync(t, { qos: 1 }))[0].qos, t).toBe(1);
    }

    const forged = encode({ v: 1, epoch: 'x', seq: 1, clusterCIDR: '0.0.0.0/0', nodes: [] });
    await a.publishAsync(topics.status('pi-b'), encode(report('pi-b')), { qos: 1 });
    await a.publishAsync(topics.service('default', 'fake'), encode({ v: 1, service: { metadata: { name: 'fake', namespace: 'default' }, spec: {} }, endpoints: null }), { qos: 1, retain: true });
    await a.publishAsync(topics.networkSnapshot, forged, { qos: 1, retain: true });
    await a.publishAsync(topics.prefix('pi-a'), 'x', { qos: 1 });
    await a.publishAsync('$CONTROL/dynamic-security/v1', JSON.stringify({ commands: [{ command: 'deleteClient', username: 'pi-b' }] }), { qos: 1 });
    await a.publishAsync(topics.heartbeat('pi-a'), encode({ v: 1, seq: 0, sent: Date.now() }), { qos: 1 });
    await waitFor("pi-a's heartbeat at the server", () => seenByServer.some((m) => m.topic === topics.heartbeat('pi-a')));
    await sleep(300);
    const forbidden = (m: { topic: string; payload: Buffer }) =>
      m.topic === topics.status('pi-b') || m.topic === topics.service('default', 'fake') || m.topic === topics.prefix('pi-a') || (m.topic === topics.networkSnapshot && m.payload.equals(forged));
    expect(seenByServer.filter(forbidden)).toEqual([]);
    expect(seenByB.filter(forbidden)).toEqual([]);
    expect(await node('pi-b')).toBeUndefined();
    expect(await brokerClient('pi-b')).toBeDefined();
    await stopWatching();
  });

  it('streams pod logs over the external broker', async () => {
    const a = await connect('pi-a');
    a.on('message', (topic, payload) => {
      if (topic.endsWith('/stop')) return;
      const req = decode<LogRequest>(payload)!;
      a.publish(topics.logChunk('pi-a', req.id), encode({ v: 1, seq: 0, data: Buffer.from('hello from mosquitto\n').toString('base64') }), { qos: 1 });
      a.publish(topics.logChunk('pi-a', req.id), encode({ v: 1, seq: 1, eof: true }), { qos: 1 });
    });
    await a.subscribeAsync([topics.logRequest('pi-a'), topics.logStop('pi-a', '+')], { qos: 1 });
    const res = await admin.call('GET', '/api/v1/namespaces/default/pods/web/log');
    expect(res.status).toBe(200);
    expect(res.text).toBe('hello from mosquitto\n');
  });

  it('makes a node whose session dies NotReady through its last will, well within the grace period', async () => {
    const a = await connect('pi-a');
    await a.publishAsync(topics.state('pi-a'), encode({ v: 1, state: 'online', time: new Date().toISOString() }), { qos: 1, retain: true });
    await a.publishAsync(topics.status('pi-a'), encode(report('pi-a')), { qos: 1 });
    await waitFor('node pi-a Ready', async () => ready(await node('pi-a')) === 'True');
    const t0 = Date.now();
    a.stream.destroy();
    const n = await waitFor('node pi-a not Ready', async () => {
      const x = await node('pi-a');
      return ready(x) !== 'True' && x;
    });
    // The grace period is 20 s: only the will (Mosquitto publishes it when the socket dies) is this fast.
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(ready(n)).toBe('Unknown');

    const back = await connect('pi-a');
    await back.publishAsync(topics.heartbeat('pi-a'), encode({ v: 1, seq: 0, sent: Date.now() }), { qos: 0 });
    await waitFor('node pi-a Ready again', async () => ready(await node('pi-a')) === 'True');
  });

  it('replaces the broker password when a node joins again', async () => {
    const old = creds['pi-a'].mqtt.password;
    const a = await connect('pi-a');
    const closed = new Promise<void>((r) => a.once('close', () => r()));
    const res = await joinAs('pi-a');
    expect(res.status).toBe(200);
    creds['pi-a'] = res.json();
    await closed; // the old session ends with the old account
    await expect(refusedConnect({ clientId: 'pi-a', username: 'pi-a', password: old })).rejects.toThrow(REFUSED);
    await connect('pi-a');
  });

  it('deletes the broker account of a revoked node, ending its session', async () => {
    const b = await connect('pi-b');
    const closed = new Promise<void>((r) => b.once('close', () => r()));
    const del = await admin.call('DELETE', '/api/v1/namespaces/kube-system/secrets/node-credentials-pi-b');
    expect(del.status).toBe(200);
    await closed;
    await waitFor('pi-b gone from the broker', async () => (await brokerClient('pi-b')) === undefined);
    expect(await brokerRoles()).not.toContain(nodeRoleName('pi-b'));
    await expect(refusedConnect({ clientId: 'pi-b', username: 'pi-b', password: creds['pi-b'].mqtt.password })).rejects.toThrow(REFUSED);
    expect(await brokerClient('pi-a')).toBeDefined();
  });

  it("reconciles the broker's accounts with the stored credentials at start, leaving others alone", async () => {
    await server.stop();
    // A stale account (its node's credentials are gone), and an account of another application.
    await dynsec.one({ command: 'createRole', rolename: nodeRoleName('ghost'), acls: [] });
    await dynsec.one({ command: 'createClient', username: 'ghost', password: 'x', clientid: 'ghost', roles: [{ rolename: nodeRoleName('ghost') }], groups: [{ groupname: NODE_GROUP }] });
    await dynsec.one({ command: 'createClient', username: 'other-app', password: 'x' });
    await startServer();
    expect(await brokerClient('ghost')).toBeUndefined();
    expect(await brokerRoles()).not.toContain(nodeRoleName('ghost'));
    expect(await brokerClient('other-app')).toBeDefined();
    expect(await brokerClient('pi-a')).toBeDefined();
    await connect('pi-a'); // its credentials survive the restart

    // Names the broker uses for accounts that are not Bramble nodes' cannot join.
    for (const name of ['other-app', mosq.admin.username]) {
      const res = await joinAs(name);
      expect(res.status, name).toBe(409);
      expect(res.json().message).toMatch(/MQTT broker/);
    }
    expect(await brokerClient('other-app')).toMatchObject({ username: 'other-app', groups: [] });
  });
});
