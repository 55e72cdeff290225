// payloads: the JSON bodies on the MQTT topics (see topics.ts). Every payload carries `v` so an
// agent and a server of different versions can tell what they are reading.
import type { Condition, KubeObject } from '../api/meta.js';

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
