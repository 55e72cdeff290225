// endpoints: keeps the v1 Endpoints and the discovery.k8s.io/v1 EndpointSlices of every Service
// with a selector, like Kubernetes' endpoints and endpointslice controllers (one controller here,
// so the service→pods index is kept once). The queue's keys are service keys "ns/name".
//
//   Service added/changed/deleted ─┐
//   Pod added/changed/deleted ─────┼─▶ services whose selector matches (old or new labels) ─▶ sync
//   managed Endpoints/slice changed ┘
//
// sync writes only what differs. A service without a selector (or ExternalName) has user-managed
// Endpoints, which are never touched while it exists; a deleted service takes its Endpoints and its
// managed slices with it (the slices' ownerReference lets the garbage collector do the same).
import type { Pod } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { ApiError } from '../api/errors.js';
import type { Controller, ControllerContext } from './context.js';
import { ServicePodIndex } from './endpoints-index.js';
import { applyEndpoints, desiredEndpoints, endpointsChanged, podEndpointFieldsChanged, type Service, selectorOf } from './endpoints-logic.js';
import { type EndpointSlice, isManagedSlice, planSlices, portGroups, SERVICE_NAME_LABEL } from './endpoints-slices-logic.js';
import { inform, nsKey, splitKey } from './informer.js';
import { WorkQueue } from './queue.js';

const PODS = findResource('', 'v1', 'pods')!;
const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

/** SliceIndex: the managed slices of each service key, fed by the slice informer. */
class SliceIndex {
  private readonly byService = new Map<string, Map<string, EndpointSlice>>();

  serviceKey(s: KubeObject): string {
    return `${s.metadata.namespace ?? ''}/${s.metadata.labels?.[SERVICE_NAME_LABEL] ?? ''}`;
  }

  put(s: EndpointSlice, prev?: EndpointSlice): void {
    if (prev) this.remove(prev);
    if (!isManagedSlice(s)) return;
    const key = this.serviceKey(s);
    const m = this.byService.get(key) ?? new Map<string, EndpointSlice>();
    this.byService.set(key, m);
    m.set(s.metadata.name!, s);
  }

  remove(s: EndpointSlice): void {
    const key = this.serviceKey(s);
    const m = this.byService.get(key);
    if (m?.get(s.metadata.name!)?.metadata.uid !== s.metadata.uid) return;
    m!.delete(s.metadata.name!);
    if (m!.size === 0) this.byService.delete(key);
  }

  of(svcKey: string): EndpointSlice[] {
    return [...(this.byService.get(svcKey)?.values() ?? [])];
  }
}

export function endpointsController(ctx: ControllerContext): Controller {
  const log = ctx.logger.child({ controller: 'endpoints' });
  const index = new ServicePodIndex();
  const slices = new SliceIndex();
  const sliceByName = new Map<string, EndpointSlice>();
  const queue = new WorkQueue(sync, { concurrency: 4, onError: (key, err) => log.warn({ err, key }, 'endpoints sync failed') });
  let watches: { close(): void }[] = [];
  // Until every informer has delivered its first list, keys wait in pending: a sync that saw the
  // services but not yet the slices (or pods) would write wrong objects.
  let pending: Set<string> | undefined;
  const add = (k: string) => (pending ? pending.add(k) : queue.add(k));
  const enqueue = (keys: string[]) => {
    for (const k of keys) add(k);
  };

  async function sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const svc = ctx.objects.find(SERVICES, ns, name) as Service | undefined;
    const results = await Promise.allSettled([syncEndpoints(ns, name, svc), syncSlices(key, ns, svc)]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  async function syncEndpoints(ns: string, name: string, svc: Service | undefined): Promise<void> {
    const current = ctx.objects.find(ENDPOINTS, ns, name);
    if (!svc) {
      if (current) await ignoreNotFound(ctx.objects.delete(ENDPOINTS, ns, name, { preconditions: { uid: current.metadata.uid } }));
      return;
    }
    if (!selectorOf(svc)) return;
    const want = desiredEndpoints(svc, index.podsOf(nsKey(svc)));
    if (!current) {
      await ctx.objects.create(ENDPOINTS, ns, want);
      return;
    }
    if (!endpointsChanged(current, want)) return;
    await ctx.objects.mutate(ENDPOINTS, ns, name, (o) => (endpointsChanged(o, want) ? applyEndpoints(o, want) : undefined));
  }

  // syncSlices: a service gone or without a selector keeps no managed slices.
  async function syncSlices(key: string, ns: string, svc: Service | undefined): Promise<void> {
    const existing = slices.of(key);
    const plan = svc && selectorOf(svc) ? planSlices(svc, portGroups(svc, index.podsOf(key)), existing) : { create: [], update: [], remove: existing };
    await Promise.all([
      ...plan.remove.map((s) => ignoreNotFound(ctx.objects.delete(SLICES, ns, s.metadata.name!, { preconditions: { uid: s.metadata.uid } }))),
      ...plan.update.map((want) =>
        ctx.objects.mutate(SLICES, ns, want.metadata.name!, (o) => {
          if (o.metadata.uid !== want.metadata.uid) return undefined;
          o.metadata.labels = want.metadata.labels;
          o.metadata.ownerReferences = want.metadata.ownerReferences;
          o.addressType = want.addressType;
          o.endpoints = want.endpoints;
          o.ports = want.ports;
          return o;
        }),
      ),
      ...plan.create.map((s) => ctx.objects.create(SLICES, ns, s)),
    ]);
  }

  const podHandlers = {
    added: (o: KubeObject) => enqueue(index.putPod(o as Pod)),
    modified: (o: KubeObject) => {
      const p = o as Pod;
      const prev = index.getPod(nsKey(p));
      const touched = index.putPod(p);
      const relabelled = JSON.stringify(prev?.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {});
      if (!prev || relabelled || podEndpointFieldsChanged(prev, p)) enqueue(touched);
    },
    deleted: (o: KubeObject) => enqueue(index.removePod(o as Pod)),
  };

  const serviceHandlers = {
    added: (o: KubeObject) => {
      index.putService(o as Service);
      add(nsKey(o));
    },
    modified: (o: KubeObject) => serviceHandlers.added(o),
    deleted: (o: KubeObject) => {
      index.removeService(o as Service);
      add(nsKey(o));
    },
  };

  // Endpoints changed by someone else are put back, but only for services this controller keeps.
  const onEndpoints = (o: KubeObject) => {
    const svc = ctx.objects.find(SERVICES, o.metadata.namespace ?? '', o.metadata.name!) as Service | undefined;
    if (svc && selectorOf(svc)) add(nsKey(o));
  };

  const onSlice = (type: 'put' | 'remove') => (o: KubeObject) => {
    const s = o as EndpointSlice;
    const k = nsKey(s);
    const prev = sliceByName.get(k);
    if (type === 'put') {
      slices.put(s, prev);
      sliceByName.set(k, s);
    } else {
      slices.remove(s);
      sliceByName.delete(k);
    }
    if (prev && isManagedSlice(prev)) add(slices.serviceKey(prev));
    if (isManagedSlice(s)) add(slices.serviceKey(s));
  };

  return {
    name: 'endpoints',
    start() {
      pending = new Set();
      watches = [
        inform(ctx.objects, PODS, podHandlers),
        inform(ctx.objects, SLICES, { added: onSlice('put'), modified: onSlice('put'), deleted: onSlice('remove') }),
        inform(ctx.objects, SERVICES, serviceHandlers),
        inform(ctx.objects, ENDPOINTS, { modified: onEndpoints, deleted: onEndpoints }),
      ];
      const keys = pending;
      pending = undefined;
      for (const k of keys) queue.add(k);
    },
    stop() {
      for (const w of watches) w.close();
      watches = [];
      queue.stop();
    },
    idle: () => queue.idle(),
  };
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404)) throw e;
  }
}
