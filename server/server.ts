// server: wiring only. Opens the store, makes sure the PKI, admin token and kubeconfig exist,
// seeds the system namespaces, starts the controllers and serves the API over HTTPS.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { findResource } from '../shared/api/resources.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { createApp } from './api/app.js';
import { staticTokens } from './api/auth.js';
import type { LogSource } from './api/handlers/context.js';
import { nodePortRange, type ServerConfig } from './config.js';
import { startControllers, type Controllers } from './controllers/index.js';
import { ObjectService, SYSTEM_NAMESPACES } from './objects/object-service.js';
import { ensurePki, type Pki } from './pki/ca.js';
import { writeKubeconfig } from './pki/kubeconfig.js';
import { ensureAdminToken } from './pki/tokens.js';
import { LogStore } from './store/log-store.js';

export const VERSION = '0.1.0';

export interface RunningServer {
  url: string;
  port: number;
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
  const controllers: Controllers = startControllers({ objects, clock, logger, config: cfg });

  let ready = false;
  const app = createApp({
    ready: () => ready,
    ctx: { objects, clock, logs: deps.logs },
    auth: staticTokens([{ token: adminToken, identity: { user: 'admin', groups: ['system:masters'] } }]),
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
  logger.info({ url, kubeconfig: kubeconfigPath }, 'API server ready');

  return {
    url,
    port,
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
      await store.close();
    },
  };
}

async function seedNamespaces(objects: ObjectService): Promise<void> {
  const ns = findResource('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    if (!objects.find(ns, '', name)) await objects.create(ns, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}
