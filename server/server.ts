// server: wiring only. Opens the store, makes sure the PKI, admin token, join token and
// kubeconfig exist, seeds the system namespaces, starts the controllers and the embedded MQTT
// broker — or connects to an external one (--mqtt-url, mqtt/external.ts) — with ingest, desired
// state, the cluster network topics and log streaming, and serves the API over HTTPS.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { findResource } from '../shared/api/resources.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { createApp } from './api/app.js';
import { firstOf, staticTokens } from './api/auth.js';
import type { LogSource } from './api/handlers/context.js';
import { nodePortRange, type ServerConfig } from './config.js';
import { type Controllers, startControllers } from './controllers/index.js';
import { NodeLifecycleController } from './controllers/node-lifecycle.js';
import { healthOf } from './controllers/node-lifecycle-logic.js';
import { DEFAULT_CLUSTER_CIDR } from './controllers/pod-cidr.js';
import { checkNodeMask, NODE_MASK_SIZE } from './controllers/pod-cidr-logic.js';
import { NodeCredentials } from './join/credentials.js';
import { joinHandler } from './join/join-handler.js';
import { ensureNodeToken } from './join/node-token.js';
import { aedesBus } from './mqtt/aedes-bus.js';
import { type Broker, startBroker } from './mqtt/broker.js';
import type { Bus } from './mqtt/bus.js';
import { ClusterNetworkPublisher } from './mqtt/cluster-network.js';
import { DesiredStatePublisher } from './mqtt/desired-state.js';
import { caBundle, connectExternalBroker, type ExternalBroker, externalBrokerSettings } from './mqtt/external.js';
import { NodeHeartbeats } from './mqtt/heartbeats.js';
import { Ingest } from './mqtt/ingest.js';
import { MqttLogSource } from './mqtt/log-source.js';
import { ObjectService, SYSTEM_NAMESPACES } from './objects/object-service.js';
import { ensurePki, type Pki } from './pki/ca.js';
import { writeKubeconfig } from './pki/kubeconfig.js';
import { ensureAdminToken } from './pki/tokens.js';
import { LogStore } from './store/log-store.js';

export const VERSION = '0.1.0';

/** STARTUP_GRACE_MS: after a restart, how long nodes have to reconnect before they count as lost. */
const STARTUP_GRACE_MS = 15_000;

export interface RunningServer {
  url: string;
  port: number;
  /** mqttPort: where the embedded broker listens (TLS), or the external broker's port. */
  mqttPort: number;
  objects: ObjectService;
  store: LogStore;
  pki: Pki;
  adminToken: string;
  kubeconfigPath: string;
  logger: Logger;
  close(): Promise<void>;
}

export interface ServerDeps {
  clock?: Clock;
  logger?: Logger;
  logs?: LogSource;
}

export async function startServer(cfg: ServerConfig, deps: ServerDeps = {}): Promise<RunningServer> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? pino({ level: cfg.logLevel, base: { component: 'server' } });
  const externalMqtt = externalBrokerSettings(cfg); // checks the --mqtt-* flags before anything is written
  checkNodeMask(cfg.clusterCidr || DEFAULT_CLUSTER_CIDR, cfg.nodeCidrMaskSize ?? NODE_MASK_SIZE);
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  const [pki, adminToken] = await Promise.all([
    ensurePki(cfg.dataDir, { hostnames: cfg.tlsSan.filter((s) => !/^[\d.:]+$/.test(s)), ips: cfg.tlsSan.filter((s) => /^[\d.:]+$/.test(s)) }),
    ensureAdminToken(cfg.dataDir),
  ]);
  if (pki.servingIssued) logger.info({ reason: pki.servingIssued }, 'issued serving certificate');
  const store = await LogStore.open({
    url: cfg.datastoreEndpoint || join(cfg.dataDir, 'state.db'),
    authToken: cfg.datastoreToken || undefined,
    historyRevisions: cfg.historyRevisions,
  });
  const objects = new ObjectService(store, clock, {
    pods: { notReadyTolerationSeconds: Math.round(cfg.defaultNotReadyToleration / 1000) },
    services: { serviceCidr: cfg.serviceCidr, nodePortRange: nodePortRange(cfg.serviceNodePortRange) },
  });
  await seedNamespaces(objects);
  await seedDnsService(objects, cfg.clusterDns);
  const heartbeats = new NodeHeartbeats(cfg.nodeMonitorGracePeriod, cfg.nodeMonitorGracePeriodMax);
  // Nodes Ready before a restart get a grace period from now to reconnect, not from their Lease
  // (renewed only once a minute), as Kubernetes' node lifecycle controller does after a restart.
  // The period covers an agent's longest reconnect back-off, so a server restart alone never
  // marks a healthy node NotReady (which would evict its pods): they count as heard from that far
  // into the future.
  const restartGrace = clock.now() + STARTUP_GRACE_MS;
  for (const n of objects.list(findResource('', 'v1', 'nodes')!).items) if (healthOf(n) === 'Ready') heartbeats.seen(n.metadata.name!, restartGrace);
  const controllers: Controllers = startControllers({ objects, clock, logger, config: cfg });
  for (const c of controllers.list) if (c instanceof NodeLifecycleController) c.useHeartbeats(heartbeats);

  const credentials = new NodeCredentials(objects);
  credentials.start();
  const nodeToken = await ensureNodeToken(cfg.dataDir, objects, pki.caHash, clock);
  if (nodeToken.created) logger.info({ path: nodeToken.path }, 'wrote a new join token');
  const mqttLogger = logger.child({ component: 'mqtt' });
  let broker: Broker | undefined;
  let external: ExternalBroker | undefined;
  let bus: Bus;
  try {
    if (externalMqtt) {
      external = await connectExternalBroker(externalMqtt, { clusterCaPem: pki.caCertPem, credentials, logger: mqttLogger });
      bus = external.bus;
    } else {
      broker = await startBroker({ host: cfg.bindAddress, port: cfg.mqttPort, certPem: pki.certPem, keyPem: pki.keyPem, auth: credentials, logger: mqttLogger });
      bus = aedesBus(broker.aedes, (err, topic) => mqttLogger.warn({ err, topic }, 'MQTT message handler failed'));
    }
  } catch (err) {
    // Without MQTT there is no server: undo what started, so the process can exit with the error.
    controllers.stop();
    credentials.stop();
    await store.close();
    throw err;
  }
  const mqttPort = broker?.port ?? externalMqtt!.port;
  const ingest = await Ingest.start({ bus, objects, clock, logger: mqttLogger, heartbeats, events: controllers.context.events });
  const desired = new DesiredStatePublisher(objects, bus, { onError: (err, node) => mqttLogger.warn({ err, node }, 'could not publish desired state') });
  desired.start();
  const clusterNetwork = new ClusterNetworkPublisher(objects, bus, {
    clusterCidr: cfg.clusterCidr || DEFAULT_CLUSTER_CIDR,
    onError: (err, topic) => mqttLogger.warn({ err, topic }, 'could not publish cluster network state'),
  });
  await clusterNetwork.start();
  const logs = deps.logs ?? new MqttLogSource(bus, { nodes: heartbeats });

  let ready = false;
  const app = createApp({
    ready: () => ready,
    ctx: { objects, clock, logs },
    auth: firstOf(staticTokens([{ token: adminToken, identity: { user: 'admin', groups: ['system:masters'] } }]), credentials),
    caCertPem: pki.caCertPem,
    join: joinHandler({
      objects,
      credentials,
      clock,
      logger,
      caCertPem: pki.caCertPem,
      mqttUrl: externalMqtt ? () => externalMqtt.advertiseUrl : (host) => `mqtts://${host}:${mqttPort}`,
      ...(external ? { brokerAccounts: external.accounts, caBundle: caBundle(pki.caCertPem, externalMqtt!.caPem) } : {}),
    }),
    version: VERSION,
    metrics: () => {
      const st = store.stats();
      const mem = process.memoryUsage();
      return {
        bramble_store_commits_total: { help: 'Transactions committed by the store (group commits).', type: 'counter', value: st.commits },
        bramble_store_writes_total: { help: 'Writes committed by the store.', type: 'counter', value: st.writes },
        bramble_store_revision: { help: 'Current store revision.', type: 'gauge', value: st.revision },
        bramble_store_objects: { help: 'Objects in the store.', type: 'gauge', value: st.objects },
        bramble_watchers: { help: 'Open watches.', type: 'gauge', value: st.watchers },
        process_resident_memory_bytes: { help: 'Resident memory size in bytes.', type: 'gauge', value: mem.rss },
        process_heap_used_bytes: { help: 'V8 heap in use.', type: 'gauge', value: mem.heapUsed },
        bramble_node_heartbeat_grace_seconds: {
          help: 'How long each node may go without a heartbeat before it is NotReady (stretched on lossy links).',
          type: 'gauge',
          value: heartbeats.nodeNames().map((node) => ({ labels: { node }, value: heartbeats.graceMs(node, clock.now()) / 1000 })),
        },
      };
    },
    onError: (err, req) => logger.error({ err, ...req }, 'request failed'),
  });
  const server: Server = createServer({ cert: pki.certPem, key: pki.keyPem }, getRequestListener(app.fetch));
  // Watches and log streams are long-lived; the defaults would cut them after 5 minutes.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.httpsPort, cfg.bindAddress, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;
  const kubeconfigPath = join(cfg.dataDir, 'kubeconfig.yaml');
  await writeKubeconfig(kubeconfigPath, { server: url, caPem: pki.caCertPem, token: adminToken });
  ready = true;
  logger.info({ url, kubeconfig: kubeconfigPath, ...(externalMqtt ? { mqttUrl: externalMqtt.url } : { mqttPort }) }, 'API server ready');

  return {
    url,
    port,
    mqttPort,
    objects,
    store,
    pki,
    adminToken,
    kubeconfigPath,
    logger,
    async close() {
      controllers.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await desired.stop();
      await clusterNetwork.stop();
      await ingest.close();
      if (external) await external.close();
      else await bus.close();
      await broker?.close();
      credentials.stop();
      await store.close();
    },
  };
}

// seedDnsService creates kube-system/kube-dns, the Service pods resolve names through. It has no
// selector and no endpoints: each agent answers its ClusterIP with its own DNS server (a site that
// loses its link to the server, or to other nodes, keeps resolving names). A kube-dns that exists
// already is left as it is.
async function seedDnsService(objects: ObjectService, clusterIP: string): Promise<void> {
  const services = findResource('', 'v1', 'services')!;
  if (objects.find(services, 'kube-system', 'kube-dns')) return;
  await objects.create(services, 'kube-system', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' } },
    spec: {
      clusterIP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  });
}

async function seedNamespaces(objects: ObjectService): Promise<void> {
  const ns = findResource('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    if (!objects.find(ns, '', name)) await objects.create(ns, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}
