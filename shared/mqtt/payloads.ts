// payloads: the JSON bodies on the MQTT topics (see topics.ts). Every payload carries `v` so an
// agent and a server of different versions can tell what they are reading.
import type { Condition, KubeObject } from '../api/meta.js';
import type { Endpoints, Service } from '../api/service.js';

export const PAYLOAD_VERSION = 1;

export type NodeState = 'online' | 'offline' | 'shutdown';

export interface StateMessage {
  v: 1;
  state: NodeState;
  time: string;
}

export interface Heartbeat {
  v: 1;
  seq: number;
  /** sent: agent clock, ms since epoch (informational; the server uses its own receive time). */
  sent: number;
}

export interface NodeReport {
  v: 1;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  conditions: Condition[];
  addresses: { type: string; address: string }[];
  nodeInfo: Record<string, string>;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PodStatusEntry {
  namespace: string;
  name: string;
  uid: string;
  status: Record<string, unknown>;
  /** terminated: the agent stopped every container of a pod being deleted; the server may remove it. */
  terminated?: boolean;
}

export interface PodStatusReport {
  v: 1;
  pods: PodStatusEntry[];
}

export interface EventEntry {
  namespace: string;
  involvedObject: { kind: string; name: string; namespace?: string; uid?: string; apiVersion?: string; fieldPath?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface EventReport {
  v: 1;
  events: EventEntry[];
}

export interface DesiredState {
  v: 1;
  /** revision: the store revision this state was computed at; agents ignore older ones. */
  revision: number;
  /** pods: every pod bound to the node, metadata and spec only (status is the agent's to report). */
  pods: KubeObject[];
  /** configMaps, secrets: only those the pods reference. Objects come without resourceVersion. */
  configMaps: KubeObject[];
  secrets: KubeObject[];
}

export interface LogRequest {
  v: 1;
  id: string;
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  follow: boolean;
  tailLines?: number;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
}

/**
 * LogChunk: the answer to a LogRequest, on logs/<id>. The agent answers at once — a chunk with
 * neither data nor eof (`{ v: 1, seq: 0 }`) will do while a followed log is quiet — since the
 * server gives up after ~5 s without a word; it ends with eof or error, and stops when
 * logs/<id>/stop arrives.
 */
export interface LogChunk {
  v: 1;
  /** seq: 0, 1, 2, … per request; a repeated seq (QoS 1 redelivery) is ignored. */
  seq: number;
  /** data: base64 of the log bytes. */
  data?: string;
  eof?: boolean;
  error?: string;
}

/**
 * ServiceState: one Service as every agent needs it (proxy rules, DNS), retained on
 * topics.service(namespace, name). The service carries metadata {name, namespace, uid, labels?},
 * spec and status.loadBalancer only; the endpoints metadata {name, namespace} and subsets (null
 * while the service has none). A deleted service's topic is cleared (an empty payload).
 */
export interface ServiceState {
  v: 1;
  service: Service;
  endpoints: Endpoints | null;
}

export interface NetworkMapNode {
  name: string;
  podCIDR?: string;
  /** addresses: the node's InternalIPs first, then its ExternalIPs. */
  addresses: string[];
}

/**
 * NetworkSnapshot: the whole network as of change message `seq` of the publisher's `epoch` (a
 * random id per server start: numbering starts over with it), retained on topics.networkSnapshot.
 */
export interface NetworkSnapshot extends NetworkMap {
  epoch: string;
  seq: number;
}

/**
 * NetworkChanges: change message `seq` of `epoch` on topics.networkChanges — messages are numbered
 * 1, 2, 3… within an epoch, so an agent notices one it missed. Each change is a node's new entry,
 * or `deleted: true`.
 */
export interface NetworkChanges {
  v: 1;
  epoch: string;
  seq: number;
  changes: NetworkChange[];
}

export type NetworkChange = NetworkMapNode | { name: string; deleted: true };

/** NetworkMap: every node's pod subnet and addresses (host-gw routes), nodes sorted by name — what an agent keeps, saved in its cluster.json. */
export interface NetworkMap {
  v: 1;
  /** clusterCIDR: the range every pod CIDR comes from (traffic within it is pod to pod, not masqueraded). */
  clusterCIDR?: string;
  nodes: NetworkMapNode[];
}

const isObject = (x: unknown): x is Record<string, any> => !!x && typeof x === 'object' && !Array.isArray(x);
const isString = (x: unknown): x is string => typeof x === 'string';

/** isServiceState checks the shape of a decoded ServiceState (what the agent relies on). */
export function isServiceState(x: unknown): x is ServiceState {
  if (!isObject(x) || x.v !== PAYLOAD_VERSION) return false;
  const s = x.service;
  if (!isObject(s) || !isObject(s.metadata) || !isString(s.metadata.name) || !isString(s.metadata.namespace) || !isObject(s.spec)) return false;
  if (s.spec.ports !== undefined && !Array.isArray(s.spec.ports)) return false;
  const e = x.endpoints;
  if (e === null) return true;
  return isObject(e) && isObject(e.metadata) && isString(e.metadata.name) && (e.subsets === undefined || Array.isArray(e.subsets));
}

/** isNetworkMap checks the shape of a decoded NetworkMap. */
export function isNetworkMap(x: unknown): x is NetworkMap {
  if (!isObject(x) || x.v !== PAYLOAD_VERSION || !Array.isArray(x.nodes)) return false;
  if (x.clusterCIDR !== undefined && !isString(x.clusterCIDR)) return false;
  return x.nodes.every(isNetworkMapNode);
}

/** isNetworkSnapshot checks the shape of a decoded NetworkSnapshot. */
export function isNetworkSnapshot(x: unknown): x is NetworkSnapshot {
  return isNetworkMap(x) && isString((x as any).epoch) && Number.isInteger((x as any).seq);
}

/** isNetworkChanges checks the shape of a decoded NetworkChanges. */
export function isNetworkChanges(x: unknown): x is NetworkChanges {
  if (!isObject(x) || x.v !== PAYLOAD_VERSION || !isString(x.epoch) || !Number.isInteger(x.seq) || !Array.isArray(x.changes)) return false;
  return x.changes.every((c: unknown) => isNetworkMapNode(c) || (isObject(c) && isString(c.name) && c.deleted === true));
}

function isNetworkMapNode(n: unknown): n is NetworkMapNode {
  return isObject(n) && isString(n.name) && (n.podCIDR === undefined || isString(n.podCIDR)) && Array.isArray(n.addresses) && n.addresses.every(isString);
}

export function encode(p: unknown): Buffer {
  return Buffer.from(JSON.stringify(p));
}

/** decode parses a payload; undefined for anything that is not a JSON object of a known version. */
export function decode<T extends { v: number }>(buf: Buffer | Uint8Array | string): T | undefined {
  try {
    const o = JSON.parse(typeof buf === 'string' ? buf : Buffer.from(buf).toString('utf8'));
    return o && typeof o === 'object' && o.v === PAYLOAD_VERSION ? (o as T) : undefined;
  } catch {
    return undefined;
  }
}
