// object-service: the semantics every writer shares — the HTTP API and the in-process
// controllers alike. It owns metadata (uid, generation, timestamps, generateName), the
// status/spec split of subresources, finalizers and deletion, validation and defaults, and
// turns store errors into Kubernetes errors. Handlers stay thin; controllers get the same rules.
import { randomUUID } from 'node:crypto';
import { validate } from '../../shared/validation/index.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { apiVersionOf, findResource, qualifiedName, type ResourceInfo, storeResource } from '../../shared/api/resources.js';
import { type Clock, rfc3339 } from '../../shared/clock.js';
import { ApiError, alreadyExists, badRequest, conflict, forbidden, invalid, notFound } from '../api/errors.js';
import { applyPatch } from '../api/patch/index.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../store/errors.js';
import type { ObjectKey, Store, Watch } from '../store/types.js';
import { filterEvent, matcher } from './filter.js';
import type { KindStrategy, StrategyContext } from './kinds/strategy.js';
import { generateName } from './names.js';
import { type KindOptions, strategies } from './registry.js';

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchOptions extends ListOptions {
  resourceVersion?: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface WriteOptions {
  subresource?: 'status';
  dryRun?: boolean;
  /** withStatus lets a server-internal write change spec and status in one commit (binding). */
  withStatus?: boolean;
  /** markDeletion lets delete() set deletionTimestamp, which clients can never write. */
  markDeletion?: boolean;
}

/** Namespaces that exist from the start and can never be deleted. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const NODES = findResource('', 'v1', 'nodes')!;
const PATCH_RETRIES = 8;

export class ObjectService {
  private readonly strategyOf: (info: ResourceInfo) => KindStrategy;
  private readonly ctx: StrategyContext;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    kinds: KindOptions,
  ) {
    this.strategyOf = strategies(kinds);
    this.ctx = { clock, list: (resource, namespace) => store.list(resource, namespace).items };
  }

  key(info: ResourceInfo, namespace: string, name: string): ObjectKey {
    return { resource: storeResource(info), namespace: info.namespaced ? namespace : '', name };
  }

  find(info: ResourceInfo, namespace: string, name: string): KubeObject | undefined {
    return this.store.get(this.key(info, namespace, name));
  }

  // latest includes writes queued for the next group commit: read-modify-write built on it lands
  // right behind them instead of conflicting until they commit (and fails with them if they fail).
  private latest(info: ResourceInfo, namespace: string, name: string): KubeObject | undefined {
    return this.store.getLatest(this.key(info, namespace, name));
  }

  get(info: ResourceInfo, namespace: string, name: string): KubeObject {
    const o = this.find(info, namespace, name);
    if (!o) throw notFound(qualifiedName(info), name);
    return o;
  }

  list(info: ResourceInfo, opts: ListOptions = {}): { items: KubeObject[]; revision: number } {
    const match = matcher(opts.labelSelector, opts.fieldSelector);
    const { items, revision } = this.store.list(storeResource(info), info.namespaced ? opts.namespace || undefined : undefined);
    return { items: match ? items.filter(match) : items, revision };
  }

  async create(info: ResourceInfo, namespace: string, body: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const obj = this.checkBody(info, namespace, body);
    const m = obj.metadata;
    if (!m.name && m.generateName) m.name = generateName(m.generateName);
    if (info.namespaced) this.requireActiveNamespace(namespace);
    const strategy = this.strategyOf(info);
    strategy.defaults?.(obj, this.ctx);
    this.validate(info, obj);
    m.uid = randomUUID();
    m.creationTimestamp = rfc3339(this.clock.now());
    if (obj.spec !== undefined) m.generation = 1;
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.managedFields;
    strategy.prepareCreate?.(obj, this.ctx);
    if (opts.dryRun) return obj;
    try {
      return await this.store.create(this.key(info, namespace, m.name!), obj);
    } catch (e) {
      if (e instanceof AlreadyExistsError) throw alreadyExists(qualifiedName(info), m.name!);
      throw e;
    }
  }

  /** update is PUT: the body replaces the object (or, for the status subresource, its status). */
  async update(info: ResourceInfo, namespace: string, name: string, body: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const next = this.checkBody(info, namespace, body);
    if (next.metadata.name && next.metadata.name !== name) {
      throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
    }
    next.metadata.name = name;
    // The newest value, queued writes included: an unconditional PUT lands behind them.
    const old = this.latest(info, namespace, name);
    if (!old) throw notFound(qualifiedName(info), name);
    const rv = next.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(qualifiedName(info), name);
    return this.write(info, namespace, old, next, opts);
  }

  /** patch applies a patch to the newest object, retrying on concurrent writes like the apiserver. */
  async patch(
    info: ResourceInfo,
    namespace: string,
    name: string,
    contentType: string,
    body: string,
    opts: WriteOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const old = this.latest(info, namespace, name);
      if (!old) {
        if (contentType.startsWith('application/apply-patch')) {
          const obj = parsePatched(() => applyPatch(contentType, {}, body));
          return { object: await this.create(info, namespace, { ...obj, metadata: { ...obj.metadata, name } }, opts), created: true };
        }
        throw notFound(qualifiedName(info), name);
      }
      const patched = parsePatched(() => applyPatch(contentType, structuredClone(old), body));
      const rv = patched.metadata?.resourceVersion;
      if (rv && rv !== old.metadata.resourceVersion) throw conflict(qualifiedName(info), name);
      try {
        return { object: await this.write(info, namespace, old, patched, opts), created: false };
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'Conflict' && !rv && attempt < PATCH_RETRIES) continue;
        throw e;
      }
    }
  }

  /**
   * mutate is the controllers' read-modify-write: fn gets a private copy of the newest object and
   * returns it changed (or undefined to skip); conflicts are retried.
   */
  async mutate(
    info: ResourceInfo,
    namespace: string,
    name: string,
    fn: (o: KubeObject) => KubeObject | undefined,
    opts: WriteOptions = {},
  ): Promise<KubeObject | undefined> {
    for (let attempt = 0; ; attempt++) {
      const old = this.latest(info, namespace, name);
      if (!old) return undefined;
      const next = fn(structuredClone(old));
      if (!next) return old;
      try {
        return await this.write(info, namespace, old, next, opts);
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'Conflict' && attempt < PATCH_RETRIES) continue;
        if (e instanceof ApiError && e.reason === 'NotFound') return undefined;
        throw e;
      }
    }
  }

  async delete(info: ResourceInfo, namespace: string, name: string, opts: DeleteOptions = {}): Promise<{ object: KubeObject; deleted: boolean }> {
    const obj = this.get(info, namespace, name);
    const m = obj.metadata;
    checkPreconditions(obj, opts.preconditions);
    if (info === NAMESPACES && SYSTEM_NAMESPACES.includes(name)) {
      throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : 'Background');
    const finalizers = new Set(m.finalizers ?? []);
    if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    if (policy === 'Orphan') finalizers.add('orphan');
    const grace = this.gracePeriod(info, obj, opts.gracePeriodSeconds);
    // A namespace is emptied by the namespace controller before it goes away.
    const terminating = info === NAMESPACES;
    if (m.deletionTimestamp && grace === 0 && finalizers.size === 0 && !terminating) {
      return this.remove(info, namespace, obj, opts);
    }
    if (m.deletionTimestamp) return { object: obj, deleted: false };
    if (finalizers.size === 0 && grace === 0 && !terminating) return this.remove(info, namespace, obj, opts);
    if (opts.dryRun) return { object: obj, deleted: false };
    const now = this.clock.now();
    const marked = await this.mutate(
      info,
      namespace,
      name,
      (o) => {
      o.metadata.deletionTimestamp = rfc3339(now + grace * 1000);
      o.metadata.deletionGracePeriodSeconds = grace;
      o.metadata.finalizers = [...new Set([...(o.metadata.finalizers ?? []), ...finalizers])];
        if (terminating) o.status = { ...(o.status ?? {}), phase: 'Terminating' };
        return o;
      },
      { markDeletion: true, withStatus: true },
    );
    return { object: marked ?? obj, deleted: !marked };
  }

  /** finalizeNamespace removes a terminating namespace once every finalizer is gone (the namespace controller's last step). */
  async finalizeNamespace(name: string): Promise<boolean> {
    const ns = this.find(NAMESPACES, '', name);
    if (!ns?.metadata.deletionTimestamp || ns.spec?.finalizers?.length || ns.metadata.finalizers?.length) return false;
    await this.remove(NAMESPACES, '', ns, {});
    return true;
  }

  watch(info: ResourceInfo, opts: WatchOptions, onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', o: KubeObject) => void): Watch {
    const match = matcher(opts.labelSelector, opts.fieldSelector);
    const ns = info.namespaced ? opts.namespace || undefined : undefined;
    const resource = storeResource(info);
    let fromRev: number;
    const rv = opts.resourceVersion;
    if (rv === undefined || rv === '' || rv === '0') {
      // No resourceVersion: the current state as ADDED events, then every change after it.
      const { items, revision } = this.store.list(resource, ns);
      for (const o of items) if (!match || match(o)) onEvent('ADDED', o);
      fromRev = revision;
    } else {
      fromRev = Number(rv);
      if (!Number.isInteger(fromRev) || fromRev < 0) throw badRequest(`invalid resourceVersion "${rv}"`);
    }
    return this.store.watch({ resource, namespace: ns, fromRev }, (e) => {
      const out = filterEvent(e, match);
      if (out) onEvent(out.type as 'ADDED' | 'MODIFIED' | 'DELETED', out.object);
    });
  }

  // write stores an update after the common metadata rules; a finalized object goes away.
  private async write(info: ResourceInfo, namespace: string, old: KubeObject, next: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    let obj: KubeObject;
    if (opts.subresource === 'status') {
      obj = { ...old, status: next.status };
    } else {
      obj = next;
      const strategy = this.strategyOf(info);
      strategy.defaults?.(obj, this.ctx);
      if (info.subresources.includes('status') && !opts.withStatus) obj.status = old.status;
      this.validate(info, obj, old);
      strategy.prepareUpdate?.(obj, old, this.ctx);
      const om = old.metadata;
      const deletion = opts.markDeletion ? obj.metadata : om;
      obj.metadata = {
        ...obj.metadata,
        name: om.name,
        uid: om.uid,
        creationTimestamp: om.creationTimestamp,
        deletionTimestamp: deletion.deletionTimestamp,
        deletionGracePeriodSeconds: deletion.deletionGracePeriodSeconds,
      };
      if (info.namespaced) obj.metadata.namespace = namespace;
      if (!obj.metadata.deletionTimestamp) delete obj.metadata.deletionTimestamp;
      if (obj.metadata.deletionGracePeriodSeconds === undefined) delete obj.metadata.deletionGracePeriodSeconds;
      if (obj.spec !== undefined || om.generation !== undefined) {
        const changed = JSON.stringify(obj.spec) !== JSON.stringify(old.spec);
        obj.metadata.generation = (om.generation ?? 1) + (changed ? 1 : 0);
      }
      if (!obj.metadata.finalizers?.length) delete obj.metadata.finalizers;
    }
    delete obj.metadata.managedFields;
    const key = this.key(info, namespace, old.metadata.name!);
    const expected = Number(old.metadata.resourceVersion);
    if (opts.dryRun) return obj;
    // Removing the last finalizer of an object being deleted completes the deletion.
    if (obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length && old.metadata.finalizers?.length && info !== NAMESPACES) {
      return this.storeCall(info, old.metadata.name!, () => this.store.delete(key, expected));
    }
    return this.storeCall(info, old.metadata.name!, () => this.store.update(key, obj, expected));
  }

  private async remove(info: ResourceInfo, namespace: string, obj: KubeObject, opts: DeleteOptions) {
    if (opts.dryRun) return { object: obj, deleted: true };
    const key = this.key(info, namespace, obj.metadata.name!);
    const gone = await this.storeCall(info, obj.metadata.name!, () => this.store.delete(key, Number(obj.metadata.resourceVersion)));
    return { object: gone, deleted: true };
  }

  // gracePeriod: only a pod running on a known node terminates gracefully (its agent stops the
  // containers, then finishes the delete); anything else goes at once.
  private gracePeriod(info: ResourceInfo, obj: KubeObject, requested?: number): number {
    if (info.kind !== 'Pod') return 0;
    const nodeName = obj.spec?.nodeName;
    if (!nodeName || !this.find(NODES, '', nodeName)) return 0;
    const phase = obj.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return 0;
    const g = requested ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, Math.floor(g));
  }

  private async storeCall(info: ResourceInfo, name: string, f: () => Promise<KubeObject>): Promise<KubeObject> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof ConflictError) throw conflict(qualifiedName(info), name);
      if (e instanceof NotFoundError) throw notFound(qualifiedName(info), name);
      if (e instanceof AlreadyExistsError) throw alreadyExists(qualifiedName(info), name);
      throw e;
    }
  }

  private checkBody(info: ResourceInfo, namespace: string, body: KubeObject): KubeObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON or YAML object');
    if (body.kind !== undefined && body.kind !== info.kind) {
      throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${info.kind})`);
    }
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(info)) {
      throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(info)})`);
    }
    const meta = body.metadata;
    if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) {
      throw invalid(info.kind, info.group, '', [{ reason: 'FieldValueTypeInvalid', field: 'metadata', message: 'Invalid value: metadata must be an object' }]);
    }
    const obj = structuredClone(body);
    obj.apiVersion = apiVersionOf(info);
    obj.kind = info.kind;
    obj.metadata ??= {};
    if (info.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace;
    } else {
      delete obj.metadata.namespace;
    }
    return obj;
  }

  // validate checks an object; given the old one (an update) it also checks what may not change.
  private validate(info: ResourceInfo, obj: KubeObject, old?: KubeObject): void {
    const causes = validate(info.kind, obj, { update: old !== undefined, old });
    if (causes.length) throw invalid(info.kind, info.group, obj.metadata.name ?? obj.metadata.generateName ?? '', causes);
  }

  private requireActiveNamespace(namespace: string): void {
    const ns = this.find(NAMESPACES, '', namespace);
    if (!ns) throw notFound('namespaces', namespace);
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }
}

/** checkPreconditions is DeleteOptions.preconditions: a 409 unless the object has the given uid and resourceVersion. */
export function checkPreconditions(obj: KubeObject, pre: DeleteOptions['preconditions']): void {
  const m = obj.metadata;
  if (pre?.uid && pre.uid !== m.uid) {
    throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${m.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
    throw new ApiError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`);
  }
}

// parsePatched runs a patch; a PatchError goes on to the API's error mapping (errors.ts).
function parsePatched(f: () => unknown): KubeObject {
  const out = f();
  if (!out || typeof out !== 'object' || Array.isArray(out)) throw badRequest('the patch did not produce an object');
  return out as KubeObject;
}
