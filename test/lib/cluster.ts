// cluster: a whole Bramble cluster for end-to-end tests — a `bramble server` child process on
// the test's loopback, a lab of nodes (network namespace + Docker engine each), and a real
// `bramble agent` inside each node, joined with the server's node token. Agents reach the server
// at the lab gateway through relays, so the root namespace gains no link, route or rule.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Lab, type LabNode, type Relay, startLab } from '../lab/lab.js';
import { type Mosquitto, startMosquitto } from './mosquitto.js';
import { BIN, type ServerProcess, startServerProcess } from './server-process.js';

const AGENT_STOP_MS = 15_000;

export interface Cluster {
  lab: Lab;
  server: ServerProcess;
  dir: string;
  agents: Map<string, ChildProcess>;
  agentLog(node: LabNode): string;
  /** startAgent runs `bramble agent` in the node; env is added to the agent's environment. */
  startAgent(node: LabNode, extra?: string[], env?: Record<string, string>): Promise<ChildProcess>;
  stopAgent(node: LabNode, signal?: NodeJS.Signals): Promise<void>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * startCluster: mqtt 'mosquitto' runs an external Mosquitto (test/lib/mosquitto.ts) on loopback,
 * exposed in the lab, and the server with --mqtt-url; agents reach it at the lab gateway.
 */
export async function startCluster(opts: { nodes: number; serverArgs?: string[]; mqtt?: 'embedded' | 'mosquitto'; mqttJitterMs?: number }): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-cluster-'));
  const lab = await startLab({ nodes: opts.nodes, image: true });
  const serverDir = join(dir, 'server');
  const serverArgs = ['--tls-san', lab.gatewayIp, '--log-level', 'info', ...(opts.serverArgs ?? [])];
  const relays: Relay[] = [];
  let mosquitto: Mosquitto | undefined;
  let serverEnv: Record<string, string> = {};
  if (opts.mqtt === 'mosquitto') {
    mosquitto = await startMosquitto({ sans: [lab.gatewayIp] });
    const relay = await lab.expose(mosquitto.port);
    relays.push(relay);
    const caFile = join(dir, 'mosquitto-ca.crt');
    writeFileSync(caFile, mosquitto.caPem);
    serverArgs.push('--mqtt-url', `mqtts://${mosquitto.admin.username}@127.0.0.1:${mosquitto.port}`, '--mqtt-ca', caFile, '--mqtt-advertise-url', `mqtts://${relay.host}:${relay.port}`);
    serverEnv = { BRAMBLE_MQTT_PASSWORD: mosquitto.admin.password };
  }
  let server = await startServerProcess(serverDir, { args: serverArgs, env: serverEnv });
  relays.push(await lab.expose(server.port));
  // mqttJitterMs: the agents' MQTT traffic (heartbeats included) arrives 0–mqttJitterMs late.
  if (!mosquitto) relays.push(await lab.expose(server.mqttPort, undefined, { jitterMs: opts.mqttJitterMs }));
  const agents = new Map<string, ChildProcess>();
  const logs = new Map<string, string>();

  const cluster: Cluster = {
    lab,
    get server() {
      return server;
    },
    dir,
    agents,
    agentLog: (node) => logs.get(node.name) ?? '',
    async startAgent(node, extra = [], env = {}) {
      const token = readFileSync(join(serverDir, 'node-token'), 'utf8').trim();
      const child = node.spawn(
        [
          process.execPath,
          ...(process.env.BRAMBLE_AGENT_NODE_FLAGS ?? '').split(' ').filter(Boolean),
          BIN,
          'agent',
          '--server',
          `https://${lab.gatewayIp}:${server.port}`,
          '--token',
          token,
          '--data-dir',
          join(dir, `agent-${node.name}`),
          '--node-name',
          node.name,
          '--node-ip',
          node.ip,
          '--docker-host',
          node.dockerHost,
          '--log-level',
          'info',
          ...extra,
        ],
        { stdio: 'pipe', env },
      );
      logs.set(node.name, '');
      child.stdout?.on('data', (d) => logs.set(node.name, logs.get(node.name) + d));
      child.stderr?.on('data', (d) => logs.set(node.name, logs.get(node.name) + d));
      agents.set(node.name, child);
      return child;
    },
    async stopAgent(node, signal = 'SIGTERM') {
      const child = agents.get(node.name);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      // A clean stop takes a moment; one that hangs must not hang the suite's teardown with it.
      const timer = setTimeout(() => {
        process.stderr.write(`agent on ${node.name} did not stop within ${AGENT_STOP_MS / 1000}s of ${signal}; killing it\n`);
        child.kill('SIGKILL');
      }, AGENT_STOP_MS);
      await exited;
      clearTimeout(timer);
    },
    async stopServer() {
      await server.stop();
    },
    async startServer() {
      server = await startServerProcess(serverDir, { port: server.port, mqttPort: server.mqttPort, args: serverArgs, env: serverEnv });
    },
    async stop() {
      for (const n of lab.nodes) await cluster.stopAgent(n).catch(() => {});
      for (const r of relays) await r.close().catch(() => {});
      await server.stop();
      await mosquitto?.stop();
      await lab.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
