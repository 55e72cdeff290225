// agent wiring test: saved credentials point at a tiny aedes broker on 127.0.0.1 (plain TCP), the
// container runtime and the pod manager are fakes, and a second MQTT client plays the server.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesiredState, EventEntry, NetworkChanges, NetworkMapNode, NetworkSnapshot, PodStatusEntry, ServiceState } from '../shared/mqtt/payloads.js';
import { topics } from '../shared/mqtt/topics.js';
import { type AgentDeps, POD_NETWORK, type PodManagerLike, type RunningAgent, startAgent } from './agent.js';
import type { AgentConfig } from './config.js';
import { FILES } from './join.js';
import type { PodManagerOptions } from './pods/workers.js';
import { type ContainerRuntime, LABELS, type RuntimeInfo } from './runtime/runtime.js';
import { DESIRED_FILE } from './state.js';
import type { HostProbe } from './stats/host.js';

const NODE = 'pi-1';
const INFO: RuntimeInfo = { name: 'docker', version: '24.0.7', os: 'linux', architecture: 'aarch64', kernelVersion: '6.6', operatingSystem: 'Debian' };
const desired = (revision: number): DesiredState => ({
  v: 1,
  revision,
  pods: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-${revision}`, namespace: 'default', uid: `u${revision}` } }],
  configMaps: [],
  secrets: [],
});

class FakePods implements PodManagerLike {
  desired: number[] = [];
  started = false;
  stopped = false;
  reportAllCalls = 0;
  constructor(readonly opts: PodManagerOptions) {}
  setDesired(s: DesiredState): void {
    this.desired.push(s.revision);
  }
  async start(): Promise<void> {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  reportAll(): void {
    this.reportAllCalls++;
  }
}

let broker: Aedes;
let server: Server;
let url: string;
let dataDir: string;
let observer: MqttClient;
let seen: { topic: string; body: any }[];
let logLines: string[];
let agent: RunningAgent | undefined;
let pods: FakePods | undefined;
let engineUp: boolean;
let networks: unknown[][];
let hostCommands: string[];
let restoreInputs: string[];

beforeEach(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  dataDir = await mkdtemp(join(tmpdir(), 'bramble-agent-'));
  // a node that joined earlier: credentials and CA on disk, no token needed
  await writeFile(join(dataDir, FILES.credentials), JSON.stringify({ server: 'https://127.0.0.1:6443', nodeName: NODE, apiToken: 't', mqtt: { url, username: NODE, password: 'pw' } }));
  await writeFile(join(dataDir, FILES.ca), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
  seen = [];
  logLines = [];
  pods = undefined;
  engineUp = false;
  networks = [];
  hostCommands = [];
  restoreInputs = [];
  observer = await mqtt.connectAsync(url, { clientId: 'server', reconnectPeriod: 0 });
  observer.on('message', (topic, payload) => seen.push({ topic, body: payload.length ? JSON.parse(payload.toString()) : undefined }));
  await observer.subscribeAsync(`${topics.prefix(NODE)}/#`, { qos: 1 });
});

afterEach(async () => {
  await agent?.close();
  agent = undefined;
  await observer.endAsync(true);
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise((resolve) => server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

const cfg = (): AgentConfig => ({
  server: '',
  token: '',
  tokenFile: '',
  dataDir,
  nodeName: NODE,
  logLevel: 'info',
  nodeIp: '192.168.1.21',
  nodeLabel: ['zone=attic'],
  dockerHost: 'unix:///var/run/docker.sock',
  heartbeatInterval: 50,
  statusInterval: 60_000,
  podCidr: '10.42.3.0/24',
  dnsPort: 10053,
});

function deps(): AgentDeps {
  const runtime = {
    info: async () => {
      if (!engineUp) throw Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });
      return INFO;
    },
    list: async () => [{ id: 'c1', name: 'c1', image: 'nginx', labels: { [LABELS.podUid]: 'u3', [LABELS.container]: 'web', [LABELS.role]: 'app' }, state: { status: 'running' } }],
    async *logs() {
      yield Buffer.from('hello from web\n');
    },
    ensureNetwork: async (...args: unknown[]) => {
      networks.push(args);
      return POD_NETWORK;
    },
  } as unknown as ContainerRuntime;
  const files: Record<string, string> = { '/proc/device-tree/model': 'Raspberry Pi 4 Model B Rev 1.4\0', '/sys/class/thermal/thermal_zone0/temp': '51000' };
  const probe: HostProbe = {
    read: async (p) => files[p],
    statfs: async () => ({ total: 32 * 1024 ** 3, available: 16 * 1024 ** 3 }),
    vcgencmd: async () => undefined,
    siTemperature: async () => undefined,
  };
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  return {
    runtime,
    probe,
    runtimeRetryMs: 20,
    exec: async (argv, input) => {
      hostCommands.push(argv.join(' '));
      if (argv[0] === 'iptables-restore') restoreInputs.push(input ?? '');
      return { code: 0, stdout: '', stderr: '' };
    },
    dns: { port: 10053, serve: async () => {} },
    logger: pino({ level: 'info' }, sink),
    createPodManager: (opts) => {
      pods = new FakePods(opts);
      return pods;
    },
  };
}

const on = (topic: string) => seen.filter((s) => s.topic === topic);
const messages = () => logLines.map((l) => JSON.parse(l).msg as string);
const readyOf = (body: any) => body.conditions.find((c: any) => c.type === 'Ready');

describe('startAgent', () => {
  it('runs from saved credentials and desired.json, waits for Docker with one line, then starts the pods', async () => {
    await writeFile(join(dataDir, DESIRED_FILE), JSON.stringify(desired(3)));
    agent = await startAgent(cfg(), deps());
    expect(agent.nodeName).toBe(NODE);
    await vi.waitFor(() => expect(on(topics.state(NODE)).map((s) => s.body.state)).toEqual(['online']));
    await vi.waitFor(() => expect(on(topics.status(NODE)).length).toBeGreaterThan(0));
    const first = on(topics.status(NODE)).at(-1)?.body;
    expect(readyOf(first)).toMatchObject({ status: 'False', message: 'container runtime is down: connect ENOENT' });
    expect(first.labels).toMatchObject({ 'kubernetes.io/hostname': NODE, 'bramble.io/board': 'raspberry-pi-4-model-b', zone: 'attic' });
    expect(first.annotations['bramble.io/soc-temperature']).toBe('51°C');
    await new Promise((r) => setTimeout(r, 120)); // several failed probes
    expect(pods).toBeUndefined();
    const dockerLines = messages().filter((m) => m.startsWith('cannot reach Docker'));
    expect(dockerLines).toEqual([
      'cannot reach Docker at unix:///var/run/docker.sock: connect ENOENT — is the Docker engine running? (install: apt-get install docker.io; start: dockerd)',
    ]);

    engineUp = true;
    await vi.waitFor(() => expect(pods?.started).toBe(true));
    expect(pods?.desired).toEqual([3]); // from disk, before any server message
    expect(networks).toEqual([[POD_NETWORK, '10.42.3.0/24', '10.42.3.1']]);
    await vi.waitFor(() => expect(readyOf(on(topics.status(NODE)).at(-1)?.body).status).toBe('True'));
    expect(on(topics.status(NODE)).at(-1)?.body.nodeInfo.containerRuntimeVersion).toBe('docker://24.0.7');
  });

  it('applies and saves a newer desired state from the server, ignores an older one', async () => {
    engineUp = true;
    agent = await startAgent(cfg(), deps());
    await vi.waitFor(() => expect(pods?.started).toBe(true));
    await observer.publishAsync(topics.desired(NODE), JSON.stringify(desired(7)), { qos: 1, retain: true });
    await vi.waitFor(() => expect(pods?.desired).toEqual([7]));
    await observer.publishAsync(topics.desired(NODE), JSON.stringify(desired(6)), { qos: 1 });
    await observer.publishAsync(topics.desired(NODE), JSON.stringify(desired(8)), { qos: 1 });
    await vi.waitFor(() => expect(pods?.desired).toEqual([7, 8]));
    expect(JSON.parse(await readFile(join(dataDir, DESIRED_FILE), 'utf8')).revision).toBe(8);
  });

  it('forwards pod statuses and events, and answers log requests', async () => {
    engineUp = true;
    agent = await startAgent(cfg(), deps());
    await vi.waitFor(() => expect(pods?.started && agent?.link.connected).toBe(true));
    const entry: PodStatusEntry = { namespace: 'default', name: 'web-3', uid: 'u3', status: { phase: 'Running' } };
    const event: EventEntry = { namespace: 'default', involvedObject: { kind: 'Pod', name: 'web-3' }, type: 'Normal', reason: 'Started', message: 'Started container web' };
    pods?.opts.onStatus([entry]);
    pods?.opts.onEvent(event);
    await vi.waitFor(() => expect(on(topics.pods(NODE)).map((s) => s.body)).toEqual([{ v: 1, pods: [entry] }]));
    await vi.waitFor(() => expect(on(topics.events(NODE)).map((s) => s.body)).toEqual([{ v: 1, events: [event] }]));

    await new Promise((r) => setTimeout(r, 50)); // subscriptions settle
    const req = { v: 1, id: 'r1', namespace: 'default', pod: 'web-3', uid: 'u3', container: 'web', follow: false, previous: false, timestamps: false };
    await observer.publishAsync(topics.logRequest(NODE), JSON.stringify(req), { qos: 1 });
    await vi.waitFor(() => expect(on(topics.logChunk(NODE, 'r1')).map((s) => s.body)).toEqual([
      { v: 1, seq: 0 },
      { v: 1, seq: 1, data: Buffer.from('hello from web\n').toString('base64') },
      { v: 1, seq: 2, eof: true },
    ]));
  });

  it('stops cleanly: pods stopped (containers left running), shutdown published, no heartbeats after', async () => {
    engineUp = true;
    agent = await startAgent(cfg(), deps());
    await vi.waitFor(() => expect(pods?.started && agent?.link.connected).toBe(true));
    await agent.close();
    agent = undefined;
    expect(pods?.stopped).toBe(true);
    await vi.waitFor(() => expect(on(topics.state(NODE)).map((s) => s.body.state)).toEqual(['online', 'shutdown']));
    const beats = on(topics.heartbeat(NODE)).length;
    await new Promise((r) => setTimeout(r, 150));
    expect(on(topics.heartbeat(NODE)).length).toBe(beats);
    expect(on(topics.state(NODE)).map((s) => s.body.state)).toEqual(['online', 'shutdown']);
  });

  it('waits for the server to assign a pod subnet before making the pod network', async () => {
    engineUp = true;
    agent = await startAgent({ ...cfg(), podCidr: '' }, deps());
    await vi.waitFor(() => expect(agent?.link.connected).toBe(true));
    await vi.waitFor(() => expect(messages()).toContain('waiting for the server to assign this node a pod subnet'));
    const entry = (name: string, address: string, podCIDR?: string): NetworkMapNode => ({ name, ...(podCIDR ? { podCIDR } : {}), addresses: [address] });
    const snapshot: NetworkSnapshot = { v: 1, epoch: 'e1', seq: 1, clusterCIDR: '10.42.0.0/16', nodes: [entry('pi-0', '192.168.1.20', '10.42.0.0/24'), entry(NODE, '192.168.1.21')] };
    await observer.publishAsync(topics.networkSnapshot, JSON.stringify(snapshot), { qos: 1, retain: true });
    await vi.waitFor(() => expect(hostCommands).toContain('ip route replace 10.42.0.0/24 via 192.168.1.20 proto 151')); // the map arrived
    expect(networks).toEqual([]);
    expect(pods).toBeUndefined();

    const change: NetworkChanges = { v: 1, epoch: 'e1', seq: 2, changes: [entry(NODE, '192.168.1.21', '10.42.7.0/24')] };
    await observer.publishAsync(topics.networkChanges, JSON.stringify(change), { qos: 0 });
    await vi.waitFor(() => expect(pods?.started).toBe(true));
    expect(networks).toEqual([[POD_NETWORK, '10.42.7.0/24', '10.42.7.1']]);
    expect(messages().filter((m) => m.startsWith('waiting for the server'))).toHaveLength(1);
  });

  it('writes the proxy rules of a service the server publishes', async () => {
    engineUp = true;
    agent = await startAgent(cfg(), deps());
    await vi.waitFor(() => expect(agent?.link.connected).toBe(true));
    const web: ServiceState = {
      v: 1,
      service: { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web', uid: 's1' }, spec: { clusterIP: '10.43.0.77', ports: [{ port: 80 }] } },
      endpoints: { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'default', name: 'web' }, subsets: [{ addresses: [{ ip: '10.42.3.5' }], ports: [{ port: 8080 }] }] },
    };
    await observer.publishAsync(topics.service('default', 'web'), JSON.stringify(web), { qos: 1, retain: true });
    await vi.waitFor(() => expect(restoreInputs.some((i) => i.includes('-d 10.43.0.77/32'))).toBe(true));
    expect(hostCommands).toContain('iptables-restore -w 5 --noflush');
    expect(restoreInputs.find((i) => i.includes('10.43.0.77'))).toContain('--to-destination 10.42.3.5:8080');
  });

  it('refuses to start a node that never joined, in one line', async () => {
    await rm(join(dataDir, FILES.credentials));
    await expect(startAgent(cfg(), deps())).rejects.toThrow(/has not joined a cluster yet: give --server and --token/);
  });
});
