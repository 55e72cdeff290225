// broker: the embedded MQTT broker — aedes behind a TLS listener with the server's certificate
// (its SANs cover the host's names and addresses, 127.0.0.1 and localhost). Every client is a
// node: username = node name, password = the MQTT password it got at join, checked against the
// stored hash. Its client id is forced to the node name, so one node cannot take over another's
// session (and trigger its last will); a second session of the same node replaces the first.
// A node may publish only below its own prefix (nodeMayAccess) and subscribe there or to the
// cluster-wide topics the server publishes (nodeMaySubscribe); a refused subscription is granted
// QoS 128, a refused publish closes the connection.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import aedesPersistence from 'aedes-persistence';
import mqttPacket from 'mqtt-packet';
import type { Logger } from 'pino';
import { nodeMayAccess, nodeMaySubscribe, topics } from '../../shared/mqtt/topics.js';
import { indexRetained } from './retained-index.js';

/** BrokerAuth: the part of NodeCredentials the broker needs. */
export interface BrokerAuth {
  mqttPasswordOk(node: string, password: Buffer | undefined): boolean;
  /** onChange: a node's credentials were replaced or revoked; its session is closed. */
  onChange(cb: (node: string) => void): () => void;
}

export interface BrokerOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  auth: BrokerAuth;
  logger: Logger;
}

export interface Broker {
  aedes: Aedes;
  port: number;
  /** connected: the node names with a live session. */
  connected(): string[];
  close(): Promise<void>;
}

export async function startBroker(o: BrokerOptions): Promise<Broker> {
  // aedes writes packets with mqtt-packet, which by default pre-builds a Buffer for each of the
  // 65,536 two-byte numbers on the first write: ≈ 7 MB of heap for a few bytes saved per packet.
  mqttPacket.writeToStream.cacheNumbers = false;
  const log = o.logger;
  const nodeOf = new WeakMap<Client, string>();
  const sessions = new Map<string, Client>();
  const aedes = await Aedes.createBroker({
    // Retained messages in a tree of topic levels, not scanned whole on each subscribe (retained-index.ts).
    persistence: indexRetained(memoryPersistence()),
    preConnect(_client, packet, done) {
      if (packet.username) packet.clientId = packet.username;
      done(null, true);
    },
    authenticate(client, username, password, done) {
      if (!username || !password) return done(authError(5, 'credentials required'), null);
      if (!validNode(username) || !o.auth.mqttPasswordOk(username, password)) {
        log.debug({ node: username }, 'MQTT client refused: bad credentials');
        return done(authError(4, 'bad user name or password'), null);
      }
      nodeOf.set(client, username);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const node = client ? nodeOf.get(client) : undefined;
      if (node && nodeMayAccess(node, packet.topic)) return done(null);
      log.warn({ node, topic: packet.topic }, 'MQTT publish refused; closing the session');
      done(new Error(`node ${node ?? '?'} may not publish to ${packet.topic}`));
    },
    authorizeSubscribe(client, sub, done) {
      const node = nodeOf.get(client);
      if (node && nodeMaySubscribe(node, sub.topic)) return done(null, sub);
      log.warn({ node, topic: sub.topic }, 'MQTT subscription refused');
      done(null, null);
    },
  });
  aedes.on('clientReady', (c) => {
    const node = nodeOf.get(c);
    if (node) sessions.set(node, c);
    log.debug({ node }, 'MQTT session started');
  });
  aedes.on('clientDisconnect', (c) => {
    const node = nodeOf.get(c);
    if (node && sessions.get(node) === c) sessions.delete(node);
    log.debug({ node }, 'MQTT session ended');
  });
  aedes.on('clientError', (c, err) => log.debug({ node: nodeOf.get(c), err: err.message }, 'MQTT client error'));
  aedes.on('connectionError', (c, err) => log.debug({ node: nodeOf.get(c), err: err.message }, 'MQTT connection error'));
  const stopAuth = o.auth.onChange((node) => {
    const c = sessions.get(node);
    if (!c) return;
    log.info({ node }, 'node credentials changed; closing its MQTT session');
    c.close();
  });

  const server: Server = createServer({ cert: o.certPem, key: o.keyPem, minVersion: 'TLSv1.2' }, aedes.handle);
  server.on('tlsClientError', (err) => log.debug({ err: err.message }, 'MQTT TLS handshake failed'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'MQTT listener failed'));

  return {
    aedes,
    port: (server.address() as AddressInfo).port,
    connected: () => [...sessions.keys()],
    async close() {
      stopAuth();
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// aedes-persistence is CommonJS (module.exports = the factory); its types describe an ES default export.
const memoryPersistence = aedesPersistence as unknown as typeof aedesPersistence.default;

function validNode(name: string): boolean {
  return nodeMayAccess(name, `${topics.prefix(name)}/`);
}

function authError(code: 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code });
}
