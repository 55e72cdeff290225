// credentials: what a joined node proves itself with — an API bearer token and an MQTT password,
// both 32 random bytes (base64url), handed out once at join and stored only as SHA-256 hashes in
// the Secret kube-system/node-credentials-<node>. The hashes are cached in memory (watched, so a
// re-join or a deleted Secret takes effect at once) for the API authenticator and the broker.
// With an external broker the plain MQTT password also goes, once, to the node's account on it
// (server/mqtt/dynsec-accounts.ts), which follows onChange.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { type Authenticator, type Identity, NODE_GROUP, NODE_USER_PREFIX } from '../api/auth.js';
import type { ObjectService } from '../objects/object-service.js';

const SECRETS = findResource('', 'v1', 'secrets')!;
export const CREDENTIALS_TYPE = 'bramble.io/node-credentials';
export const CREDENTIALS_NAMESPACE = 'kube-system';
const KEYS = { node: 'node-name', api: 'api-token-sha256', mqtt: 'mqtt-password-sha256' } as const;

export const credentialsSecretName = (node: string) => `node-credentials-${node}`;

/** nodeIdentity is who a node's API token speaks for. */
export const nodeIdentity = (node: string): Identity => ({ user: `${NODE_USER_PREFIX}${node}`, groups: [NODE_GROUP] });

export interface IssuedCredentials {
  apiToken: string;
  mqttPassword: string;
}

interface Hashes {
  api: Buffer;
  mqtt: Buffer;
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest();

export class NodeCredentials implements Authenticator {
  private readonly byNode = new Map<string, Hashes>();
  // Keyed by the token's hash: a lookup's timing can only tell something about the hash.
  private readonly nodeByApiHash = new Map<string, string>();
  private readonly listeners = new Set<(node: string) => void>();
  private watch?: { close(): void };

  constructor(private readonly objects: ObjectService) {}

  start(): void {
    this.watch = this.objects.watch(SECRETS, { namespace: CREDENTIALS_NAMESPACE }, (type, s) => {
      if (s.type !== CREDENTIALS_TYPE) return;
      const node = decoded(s, KEYS.node);
      if (!node) return;
      if (type === 'DELETED') this.forget(node);
      else this.remember(node, s);
    });
  }

  stop(): void {
    this.watch?.close();
    this.watch = undefined;
  }

  /** issue makes new credentials for a node, replacing any it had; the plain values exist only in the result. */
  async issue(node: string): Promise<IssuedCredentials> {
    const apiToken = randomBytes(32).toString('base64url');
    const mqttPassword = randomBytes(32).toString('base64url');
    const data = {
      [KEYS.node]: b64(node),
      [KEYS.api]: b64(sha256(apiToken).toString('hex')),
      [KEYS.mqtt]: b64(sha256(mqttPassword).toString('hex')),
    };
    const name = credentialsSecretName(node);
    const replaced = await this.objects.mutate(SECRETS, CREDENTIALS_NAMESPACE, name, (s) => ({ ...s, type: CREDENTIALS_TYPE, data }));
    const stored =
      replaced ??
      (await this.objects.create(SECRETS, CREDENTIALS_NAMESPACE, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: CREDENTIALS_NAMESPACE, labels: { 'bramble.io/node': node } },
        type: CREDENTIALS_TYPE,
        data,
      }));
    this.remember(node, stored);
    return { apiToken, mqttPassword };
  }

  /** authenticate maps a node's API token to its identity (the Authenticator for the API). */
  authenticate(token: string): Identity | undefined {
    const node = this.nodeByApiHash.get(sha256(token).toString('hex'));
    return node === undefined ? undefined : nodeIdentity(node);
  }

  /** mqttPasswordOk checks a node's MQTT password against its stored hash in constant time. */
  mqttPasswordOk(node: string, password: string | Buffer | undefined): boolean {
    const h = this.byNode.get(node);
    if (!h || password === undefined) return false;
    return timingSafeEqual(sha256(password), h.mqtt);
  }

  /** nodes: every node with stored credentials. */
  nodes(): string[] {
    return [...this.byNode.keys()];
  }

  /** mqttPasswordHash: SHA-256 of a node's current MQTT password (what an external broker's account must match). */
  mqttPasswordHash(node: string): Buffer | undefined {
    const h = this.byNode.get(node);
    return h ? Buffer.from(h.mqtt) : undefined;
  }

  /** onChange: a node's credentials were replaced or revoked. */
  onChange(cb: (node: string) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private remember(node: string, s: KubeObject): void {
    const api = Buffer.from(decoded(s, KEYS.api) ?? '', 'hex');
    const mqtt = Buffer.from(decoded(s, KEYS.mqtt) ?? '', 'hex');
    const old = this.byNode.get(node);
    if (old?.api.equals(api) && old.mqtt.equals(mqtt)) return;
    this.forget(node, false);
    if (api.length === 32 && mqtt.length === 32) {
      this.byNode.set(node, { api, mqtt });
      this.nodeByApiHash.set(api.toString('hex'), node);
    }
    if (old) this.emit(node);
  }

  private forget(node: string, notify = true): void {
    const old = this.byNode.get(node);
    if (!old) return;
    this.byNode.delete(node);
    this.nodeByApiHash.delete(old.api.toString('hex'));
    if (notify) this.emit(node);
  }

  private emit(node: string): void {
    for (const cb of this.listeners) cb(node);
  }
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

function decoded(s: KubeObject, key: string): string | undefined {
  const v = s.data?.[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined;
}
