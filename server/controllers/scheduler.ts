// scheduler: the loop around the pure scheduler. Unscheduled pods are queued; each round takes
// every queued pod, builds one snapshot, places the pods one by one (assume() makes later pods
// see earlier placements) and writes the bindings concurrently, so they share group commits.
// A pod that fits nowhere gets PodScheduled=False with Kubernetes' message and a
// FailedScheduling event, and waits until nodes or pods change (or a periodic retry).
import type { Pod } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { rfc3339 } from '../../shared/clock.js';
import { bindPod } from '../objects/binding.js';
import type { PodRequests } from '../scheduler/framework.js';
import { assume, buildSnapshot, podRequests, schedule } from '../scheduler/index.js';
import type { Controller, ControllerContext } from './context.js';
import { inform, nsKey, splitKey } from './informer.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const SCHEDULERS = new Set(['default-scheduler', 'bramble-scheduler']);
const RETRY_MS = 10_000;
/** MAX_GATHER_MS: the longest a pod waits for others to share its scheduling round. */
const MAX_GATHER_MS = 500;

function needsScheduling(p: KubeObject): boolean {
  return !p.spec?.nodeName && !p.metadata.deletionTimestamp && SCHEDULERS.has(p.spec?.schedulerName ?? 'default-scheduler');
}

export function schedulerController(ctx: ControllerContext): Controller & { scheduled: number } {
  const queued = new Set<string>();
  const unschedulable = new Set<string>();
  const closers: { close(): void }[] = [];
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastRoundMs = 0;
  // Every round books every bound pod; parsing their quantities again each time was most of a
  // round at 5,000 nodes and tens of thousands of pods (rounds then scheduled 2 pods/s). Stored
  // objects are replaced, never mutated (store/cache.ts), so a pod object's requests never change.
  const requests = new WeakMap<Pod, PodRequests>();
  const requestsOf = (pod: Pod): PodRequests => {
    let r = requests.get(pod);
    if (!r) {
      r = podRequests(pod);
      requests.set(pod, r);
    }
    return r;
  };
  const self = {
    name: 'scheduler',
    scheduled: 0,
    start() {
      closers.push(
        inform(ctx.objects, PODS, {
          added: (p) => (needsScheduling(p) ? enqueue(nsKey(p)) : undefined),
          modified: (p) => {
            if (needsScheduling(p)) enqueue(nsKey(p));
            else unschedulable.delete(nsKey(p)); // bound or deleting: no longer waiting
          },
          deleted: (p) => {
            unschedulable.delete(nsKey(p));
            if (p.spec?.nodeName) retryUnschedulable(); // freed resources
          },
        }),
        inform(ctx.objects, NODES, { added: retryUnschedulable, modified: retryUnschedulable }),
      );
      timer = setInterval(retryUnschedulable, RETRY_MS);
      timer.unref();
    },
    stop() {
      stopped = true;
      for (const c of closers) c.close();
      if (timer) clearInterval(timer);
    },
    async idle() {
      while (running) await running;
    },
  };

  function enqueue(key: string): void {
    if (unschedulable.has(key)) return;
    queued.add(key);
    if (!running) running = round().finally(() => (running = undefined));
  }

  // retryUnschedulable moves waiting pods back to the queue when the cluster changed.
  function retryUnschedulable(): void {
    if (unschedulable.size === 0) return;
    const keys = [...unschedulable];
    unschedulable.clear();
    for (const k of keys) enqueue(k);
  }

  async function round(): Promise<void> {
    while (queued.size && !stopped) {
      // Let a burst of creations gather so one snapshot serves them all: twice as long as the last
      // round took (a snapshot costs O(nodes + pods); at 5,000 nodes and tens of thousands of pods
      // rounds of a few pods each spent the CPU rebuilding it), at least one turn of the loop.
      const gatherMs = Math.min(MAX_GATHER_MS, 2 * lastRoundMs);
      await new Promise((r) => (gatherMs >= 1 ? setTimeout(r, gatherMs) : setImmediate(r)));
      if (stopped) return;
      const started = performance.now();
      const keys = [...queued];
      queued.clear();
      const nodes = ctx.objects.list(NODES).items as never[];
      const pods = ctx.objects.list(PODS).items as Pod[];
      const snapshot = buildSnapshot(nodes, pods.filter((p) => p.spec?.nodeName), requestsOf);
      const writes: Promise<void>[] = [];
      for (const key of keys) {
        const [ns, name] = splitKey(key);
        const pod = ctx.objects.find(PODS, ns, name) as Pod | undefined;
        if (!pod || !needsScheduling(pod)) continue;
        const req = requestsOf(pod);
        const result = schedule(pod, snapshot, undefined, req);
        if (result.ok) {
          assume(snapshot, pod, result.nodeName, req);
          writes.push(bind(pod, result.nodeName));
        } else {
          unschedulable.add(key);
          writes.push(markUnschedulable(pod, result.message));
        }
      }
      lastRoundMs = performance.now() - started;
      await Promise.all(writes);
    }
  }

  async function bind(pod: Pod, nodeName: string): Promise<void> {
    try {
      await bindPod(ctx.objects, pod.metadata.namespace!, pod.metadata.name!, nodeName);
      self.scheduled++;
      ctx.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`, 'default-scheduler');
    } catch (err) {
      ctx.logger.debug({ err, pod: pod.metadata.name }, 'binding failed; will retry');
      setTimeout(() => enqueue(nsKey(pod)), 200).unref();
    }
  }

  async function markUnschedulable(pod: Pod, message: string): Promise<void> {
    const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cur?.status === 'False' && cur.message === message) return;
    ctx.events.record(pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
    const now = rfc3339(ctx.clock.now());
    await ctx.objects
      .mutate(
        PODS,
        pod.metadata.namespace!,
        pod.metadata.name!,
        (p) => {
          const conditions = (p.status?.conditions ?? []).filter((c: { type: string }) => c.type !== 'PodScheduled');
          conditions.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: now });
          p.status = { ...(p.status ?? {}), conditions };
          return p;
        },
        { subresource: 'status' },
      )
      .catch((err) => ctx.logger.debug({ err }, 'could not mark pod unschedulable'));
  }

  return self;
}
