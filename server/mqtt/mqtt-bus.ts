// mqtt-bus: the Bus over an external broker (--mqtt-url), through one mqtt.js client of the server
// — its admin account on the broker, which dynsec-accounts.ts grants bramble/# (see there).
//
// - MQTT 5, clean start, a random client id (bramble-server-<hex>): two servers, or a restarted
//   one, never take over each other's session.
// - Each distinct pattern is one broker subscription (QoS 1) with its own subscription
//   identifier; a message goes to the handlers of the identifiers it carries, so overlapping
//   patterns never see a message twice (a broker that sends no identifier is matched locally).
// - Retained messages: by default a subscription asks for none (retain handling 2), which is what
//   the in-process aedes bus gives too: a retained 'online' of a node that died while the broker
//   was down must not count as a sign of life, nor recreate a deleted Node. A subscriber that
//   wants them (the cluster network publisher clears stale retained services) says so.
// - Reconnects every second, for ever, once the first connection is up; every subscription is
//   made again on each connect, and publishes made while disconnected wait until it is done.
// - The first connection must come up within connectTimeoutMs, and a refusal of the server's
//   credentials or of the broker's certificate fails at once: both are configuration errors.
import { randomBytes } from 'node:crypto';
import type { IClientOptions, ISubscriptionGrant, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Bus, MessageHandler, PublishOptions, SubscribeOptions } from './bus.js';

export interface MqttBusOptions {
  /** url: mqtts://host:port (any credentials in it are ignored: see username and password). */
  url: string;
  username: string;
  password: string;
  /** ca: PEM of the CA(s) the broker's certificate must chain to (the only trust roots). */
  ca: string;
  clientId?: string;
  logger: Logger;
  /** connectTimeoutMs: how long the first connection may take (default 30 s). */
  connectTimeoutMs?: number;
  reconnectPeriodMs?: number;
  onHandlerError?: (err: unknown, topic: string) => void;
}

export interface MqttBus extends Bus {
  readonly connected: boolean;
  /** clientId: the server's client id on the broker. */
  readonly clientId: string;
}

interface Subscription {
  id: number;
  pattern: string;
  retained: boolean;
  handlers: Set<MessageHandler>;
  /** pending: the SUBACK of the current subscribe, if one is under way. */
  pending?: Promise<void>;
}

/** MAX_SUBSCRIPTION_ID: MQTT 5 subscription identifiers are variable byte integers, 1 … 268,435,455. */
const MAX_SUBSCRIPTION_ID = 268_435_455;

export async function connectMqttBus(o: MqttBusOptions): Promise<MqttBus> {
  const { connect } = await import('mqtt'); // loaded only with an external broker
  const log = o.logger;
  const where = redactedUrl(o.url);
  const clientId = o.clientId ?? `bramble-server-${randomBytes(4).toString('hex')}`;
  const onHandlerError = o.onHandlerError ?? ((err, topic) => log.warn({ err, topic }, 'MQTT message handler failed'));
  const subs = new Map<string, Subscription>();
  const byId = new Map<number, Subscription>();
  let nextId = 1;
  let closing = false;

  const opts: IClientOptions = {
    protocolVersion: 5,
    clientId,
    username: o.username,
    password: o.password,
    clean: true,
    keepalive: 15,
    connectTimeout: 10_000,
    reconnectPeriod: o.reconnectPeriodMs ?? 1_000,
    resubscribe: false, // ours, with the subscription identifiers (onConnect)
    writeCache: false, // see broker.ts: mqtt-packet's number cache costs ≈ 7 MB of heap
    ca: o.ca,
    rejectUnauthorized: true,
  };
  const client: MqttClient = connect(withoutCredentials(o.url), opts);

  const subscribeOnBroker = (s: Subscription): Promise<void> => {
    const p = client
      .subscribeAsync(s.pattern, { qos: 1, rh: s.retained ? 0 : 2, properties: { subscriptionIdentifier: s.id } })
      .then((granted: ISubscriptionGrant[]) => {
        const refused = granted.find((g) => g.qos >= 0x80);
        if (refused) throw new Error(`the MQTT broker refused the server's subscription to ${s.pattern} (reason ${refused.qos})`);
      })
      .catch((err: unknown) => {
        const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
        if (granted) throw new Error(`the MQTT broker refused the server's subscription to ${s.pattern} (reason ${granted.join(',')})`);
        throw err;
      })
      .finally(() => {
        if (s.pending === p) s.pending = undefined;
      });
    s.pending = p;
    return p;
  };

  client.on('message', (topic, payload, packet) => {
    const ids = packet.properties?.subscriptionIdentifier;
    const targets =
      ids === undefined
        ? [...subs.values()].filter((s) => topicMatches(s.pattern, topic))
        : (Array.isArray(ids) ? ids : [ids]).map((id) => byId.get(id)).filter((s): s is Subscription => s !== undefined);
    for (const s of targets) {
      for (const handler of [...s.handlers]) {
        try {
          handler(topic, payload);
        } catch (err) {
          onHandlerError(err, topic);
        }
      }
    }
  });

  await firstConnection(client, where, o.username, o.connectTimeoutMs ?? 30_000);
  log.info({ url: where, clientId }, 'connected to the MQTT broker');

  // up: connected, with every subscription made again. Publishes wait for it: mqtt.js would send
  // what it queued while down before anything else, so an answer to one (a dynsec command) could
  // arrive before its subscription is back, and be lost.
  let lastError = '';
  let up = true;
  let online: Promise<void> = Promise.resolve();
  let markOnline = () => {};
  client.on('connect', () => {
    lastError = '';
    void Promise.all(
      [...subs.values()].map((s) => subscribeOnBroker(s).catch((err) => log.error({ err, pattern: s.pattern }, 'could not subscribe again after reconnecting'))),
    ).then(() => {
      if (up || closing) return;
      up = true;
      markOnline();
      log.info({ url: where }, 'reconnected to the MQTT broker');
    });
  });
  client.on('close', () => {
    if (closing || !up) return;
    up = false;
    online = new Promise((r) => (markOnline = r));
    log.warn({ url: where }, 'lost the connection to the MQTT broker; reconnecting');
  });
  client.on('error', (err) => {
    // One line per distinct failure while down, not one per attempt.
    if (err.message === lastError) return;
    lastError = err.message;
    log.warn({ url: where, err: err.message }, 'MQTT broker connection error');
  });

  return {
    clientId,
    get connected() {
      return client.connected;
    },
    async publish(topic: string, payload: Buffer | string, p: PublishOptions = {}) {
      if (!up) await online;
      await client.publishAsync(topic, payload, { qos: p.qos ?? 0, retain: p.retain ?? false });
    },
    async subscribe(pattern: string, handler: MessageHandler, so: SubscribeOptions = {}) {
      let s = subs.get(pattern);
      if (s) {
        s.handlers.add(handler);
        await s.pending;
      } else {
        const id = nextId;
        nextId = nextId >= MAX_SUBSCRIPTION_ID ? 1 : nextId + 1;
        s = { id, pattern, retained: so.retained ?? false, handlers: new Set([handler]) };
        subs.set(pattern, s);
        byId.set(id, s);
        if (client.connected) {
          try {
            await subscribeOnBroker(s);
          } catch (err) {
            subs.delete(pattern);
            byId.delete(id);
            throw err;
          }
        }
      }
      const sub = s;
      let done = false;
      return async () => {
        if (done) return;
        done = true;
        sub.handlers.delete(handler);
        if (sub.handlers.size > 0 || subs.get(pattern) !== sub) return;
        subs.delete(pattern);
        byId.delete(sub.id);
        if (client.connected && !closing) await client.unsubscribeAsync(pattern).catch(() => {});
      };
    },
    async close() {
      if (closing) return;
      closing = true;
      markOnline(); // waiting publishes fail now (the client is ending)
      subs.clear();
      byId.clear();
      await client.endAsync(!client.connected);
    },
  };
}

async function firstConnection(client: MqttClient, where: string, username: string, timeoutMs: number): Promise<void> {
  let lastError = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`could not connect to the MQTT broker at ${where} within ${Math.round(timeoutMs / 1000)}s${lastError ? `: ${lastError}` : ''}`)),
        timeoutMs,
      );
      const done = (err?: Error) => {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onConnect = () => done();
      const onError = (err: Error & { code?: string | number }) => {
        lastError = err.message;
        if (typeof err.code === 'number' && [4, 5, 134, 135].includes(err.code)) {
          done(new Error(`the MQTT broker at ${where} refused the server's account "${username}" (${err.message}): check --mqtt-url/--mqtt-username/--mqtt-password`));
        } else if (typeof err.code === 'string' && /CERT|TLS|SELF_SIGNED|UNABLE_TO_/.test(err.code)) {
          done(new Error(`the MQTT broker at ${where} presented a certificate the server does not trust (${err.message}): give its CA with --mqtt-ca`));
        }
      };
      client.on('connect', onConnect);
      client.on('error', onError);
    });
  } catch (err) {
    await client.endAsync(true).catch(() => {});
    throw err;
  }
}

/** topicMatches tells whether an MQTT topic matches a subscription pattern (+ and # wildcards). */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  // Wildcards at the first level do not match topics starting with $ (MQTT 4.7.2).
  if (topic.startsWith('$') && (p[0] === '+' || p[0] === '#')) return false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= t.length) return false;
    if (p[i] !== '+' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

/** withoutCredentials drops the user info of a URL (the account goes in the CONNECT packet). */
export function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

/** redactedUrl is a URL fit for logs: without credentials. */
export const redactedUrl = withoutCredentials;
