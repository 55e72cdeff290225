// types: the store's narrow interface. Keys are (resource, namespace, name); a resource is
// "group/plural" ("apps/deployments") or just the plural for the core group ("pods").
// Cluster-scoped objects use namespace "". Returned objects are shared with the cache and must
// be treated as immutable: callers clone before changing anything.
import type { KubeObject } from '../../shared/api/meta.js';

export interface ObjectKey {
  resource: string;
  namespace: string;
  name: string;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  rev: number;
  key: ObjectKey;
  object: KubeObject;
  /** prev is the object before this change (absent for ADDED, and for history replayed after a compaction). */
  prev?: KubeObject;
}

export interface ListResult {
  items: KubeObject[];
  revision: number;
}

export interface WatchOptions {
  resource: string;
  namespace?: string;
  /** fromRev: deliver every event with rev > fromRev; undefined: only events from now on. */
  fromRev?: number;
}

export interface Watch {
  close(): void;
}

export interface Store {
  readonly revision: number;
  readonly compactedRevision: number;
  get(key: ObjectKey): KubeObject | undefined;
  /** getLatest also sees writes queued but not yet committed (for read-modify-write only). */
  getLatest(key: ObjectKey): KubeObject | undefined;
  list(resource: string, namespace?: string): ListResult;
  /** create stores a new object; metadata.resourceVersion is assigned. AlreadyExistsError if present. */
  create(key: ObjectKey, obj: KubeObject): Promise<KubeObject>;
  /** update replaces the object; with expectedRev set, a different current rev is a ConflictError. */
  update(key: ObjectKey, obj: KubeObject, expectedRev?: number): Promise<KubeObject>;
  delete(key: ObjectKey, expectedRev?: number): Promise<KubeObject>;
  /** watch calls onEvent for each committed change in rev order; ExpiredError if fromRev is compacted. */
  watch(opts: WatchOptions, onEvent: (e: StoreEvent) => void): Watch;
  close(): Promise<void>;
}

export function keyString(k: ObjectKey): string {
  return `${k.resource}/${k.namespace}/${k.name}`;
}

export function parseKeyString(s: string): ObjectKey {
  const last = s.lastIndexOf('/');
  const mid = s.lastIndexOf('/', last - 1);
  return { resource: s.slice(0, mid), namespace: s.slice(mid + 1, last), name: s.slice(last + 1) };
}
