// external: the server with an external MQTT broker (--mqtt-url) instead of the embedded aedes —
// Eclipse Mosquitto 2 with its dynamic security plugin, e.g. Debian's package:
//
//   /etc/mosquitto/conf.d/bramble.conf
//     per_listener_settings false
//     allow_anonymous false
//     plugin /usr/lib/<arch>/mosquitto_dynamic_security.so
//     plugin_opt_config_file /var/lib/mosquitto/dynamic-security.json
//     listener 8883
//     certfile …  keyfile …       (TLS only: node passwords travel in CONNECT)
//   mosquitto_ctrl dynsec init /var/lib/mosquitto/dynamic-security.json bramble-admin
//   bramble server --mqtt-url mqtts://bramble-admin@broker:8883   (BRAMBLE_MQTT_PASSWORD=…)
//
// The broker's certificate: simplest is one from the cluster CA, e.g. DATA_DIR/tls/server.crt and
// server.key when Mosquitto runs on the server's host (their SANs cover its names). Otherwise
// --mqtt-ca names its CA: the server verifies the broker with it, and the join answer hands it to
// agents after the cluster CA (they trust that bundle for MQTT only).
//
// What runs here: one mqtt.js session of the server (mqtt-bus.ts) carries all its MQTT traffic
// and the dynamic-security commands (dynsec.ts) that keep the nodes' accounts in step with their
// credentials (dynsec-accounts.ts). Agents get --mqtt-advertise-url, or --mqtt-url without the
// admin's credentials, at join. Their last will is Mosquitto's to send, on the node's own state
// topic (its ACL allows it); ingest hears it through its subscription like any message.
//
// Switching an existing cluster to an external broker: nodes keep only a hash of their MQTT
// password on the server, so each must join again (the server logs which have no account).
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { UsageError } from '../../shared/options.js';
import type { ServerConfig } from '../config.js';
import type { Bus } from './bus.js';
import { Dynsec } from './dynsec.js';
import { type AccountCredentials, DynsecAccounts } from './dynsec-accounts.js';
import { connectMqttBus, withoutCredentials } from './mqtt-bus.js';

export interface ExternalBrokerSettings {
  /** url: where the server connects, without credentials. */
  url: string;
  /** advertiseUrl: what agents are told at join. */
  advertiseUrl: string;
  port: number;
  username: string;
  password: string;
  /** caPem: the broker's CA from --mqtt-ca, if given (otherwise the cluster CA). */
  caPem?: string;
}

/** externalBrokerSettings checks the --mqtt-* flags; undefined when the embedded broker is used. */
export function externalBrokerSettings(cfg: ServerConfig): ExternalBrokerSettings | undefined {
  if (!cfg.mqttUrl) {
    for (const flag of ['mqtt-username', 'mqtt-password', 'mqtt-ca', 'mqtt-advertise-url'] as const) {
      const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof ServerConfig;
      if (cfg[key]) throw new UsageError(`--${flag} is for an external broker: give --mqtt-url too`);
    }
    return undefined;
  }
  const u = parseMqttsUrl(cfg.mqttUrl, '--mqtt-url');
  const username = cfg.mqttUsername || decodeURIComponent(u.username);
  const password = cfg.mqttPassword || decodeURIComponent(u.password);
  if (!username || !password) {
    throw new UsageError('--mqtt-url needs the broker\'s dynamic-security admin account: mqtts://USER:PASSWORD@HOST:PORT, or --mqtt-username and --mqtt-password');
  }
  let caPem: string | undefined;
  if (cfg.mqttCa) {
    try {
      caPem = readFileSync(cfg.mqttCa, 'utf8');
    } catch (err) {
      throw new UsageError(`--mqtt-ca: cannot read ${cfg.mqttCa}: ${(err as Error).message}`);
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--mqtt-ca: ${cfg.mqttCa} holds no PEM certificate`);
  }
  const url = withoutCredentials(u.toString());
  const advertise = cfg.mqttAdvertiseUrl ? parseMqttsUrl(cfg.mqttAdvertiseUrl, '--mqtt-advertise-url') : undefined;
  if (advertise && (advertise.username || advertise.password)) throw new UsageError('--mqtt-advertise-url must not carry credentials (each node gets its own)');
  return { url, advertiseUrl: advertise ? withoutCredentials(advertise.toString()) : url, port: Number(u.port || 8883), username, password, caPem };
}

function parseMqttsUrl(raw: string, flag: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`${flag}: "${raw}" is not a URL (expected mqtts://HOST:PORT)`);
  }
  if (u.protocol !== 'mqtts:') throw new UsageError(`${flag}: only mqtts:// (MQTT over TLS) is supported: node passwords travel in the CONNECT packet`);
  if (!u.hostname) throw new UsageError(`${flag}: "${raw}" names no host`);
  if (u.pathname && u.pathname !== '/') throw new UsageError(`${flag}: "${raw}" has a path; expected mqtts://HOST:PORT`);
  return u;
}

export interface ExternalBroker {
  bus: Bus;
  accounts: DynsecAccounts;
  close(): Promise<void>;
}

/** connectExternalBroker opens the server's session, then readies the server's role and the nodes' accounts. */
export async function connectExternalBroker(
  s: ExternalBrokerSettings,
  o: { clusterCaPem: string; credentials: AccountCredentials; logger: Logger },
): Promise<ExternalBroker> {
  const bus = await connectMqttBus({ url: s.url, username: s.username, password: s.password, ca: s.caPem ?? o.clusterCaPem, logger: o.logger });
  try {
    const dynsec = await Dynsec.open(bus);
    const accounts = new DynsecAccounts(dynsec, o.credentials, { adminUsername: s.username, logger: o.logger });
    await accounts.start();
    return {
      bus,
      accounts,
      async close() {
        accounts.stop();
        await accounts.idle().catch(() => {});
        await dynsec.close();
        await bus.close();
      },
    };
  } catch (err) {
    await bus.close();
    throw err;
  }
}

/** caBundle: what joining nodes trust — the cluster CA, and the broker's when it is another. */
export function caBundle(clusterCaPem: string, brokerCaPem: string | undefined): string {
  if (!brokerCaPem || brokerCaPem.trim() === clusterCaPem.trim()) return clusterCaPem;
  return `${clusterCaPem.trimEnd()}\n${brokerCaPem.trimEnd()}\n`;
}
