// namespace: empties a namespace being deleted, then lets it go, as Kubernetes' namespace
// controller does. Queue keys are namespace names.
//
//   Active ─(DELETE)─▶ Terminating: deletionTimestamp set by the ObjectService, which keeps it
//   Terminating ─▶ every namespaced object in it deleted (pods on a live node terminate
//                  gracefully, so this can take a while; each deletion queues another look)
//               ─▶ nothing left ─▶ spec.finalizers "kubernetes" and the GC finalizers removed
//               ─▶ no finalizer left ─▶ ObjectService.finalizeNamespace ─▶ gone
//
// A finalizer someone else put on the namespace keeps it Terminating until they remove it.
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource, RESOURCES } from '../../shared/api/resources.js';
import { ApiError } from '../api/errors.js';
import type { Controller, ControllerContext } from './context.js';
import { FOREGROUND, ORPHAN } from './gc-logic.js';
import { inform } from './informer.js';
import { type Delay, WorkQueue } from './queue.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const NAMESPACED = RESOURCES.filter((r) => r.namespaced);
const KUBERNETES = 'kubernetes';
const BATCH = 256;

export interface NamespaceControllerOptions {
  delay?: Delay;
  /** recheckMs: how often a namespace whose content is still terminating is looked at again. */
  recheckMs?: number;
  /**
   * startDelayMs: how long after the DELETE the emptying starts. `kubectl delete -f` deletes a
   * namespace and then, one by one, the objects listed after it; emptying at once would make those
   * deletes fail with NotFound. Kubernetes is slow enough here by accident; Bramble waits on purpose.
   */
  startDelayMs?: number;
}

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  private readonly queue: WorkQueue;
  private readonly terminating = new Set<string>();
  // emptying: namespaces whose start delay is over; only their content's deletions queue a look.
  private readonly emptying = new Set<string>();
  private watches: { close(): void }[] = [];

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: NamespaceControllerOptions = {},
  ) {
    this.queue = new WorkQueue((name) => this.sync(name), {
      delay: opts.delay,
      onError: (name, err) => ctx.logger.warn({ err, namespace: name }, 'namespace cleanup failed'),
    });
  }

  start(): void {
    const seen = (ns: KubeObject) => {
      const name = ns.metadata.name!;
      if (!ns.metadata.deletionTimestamp) return;
      if (this.emptying.has(name)) return this.queue.add(name); // e.g. a finalizer was removed
      if (this.terminating.has(name)) return; // its start delay is still running
      this.terminating.add(name);
      const wait = this.opts.startDelayMs ?? 2_000;
      if (wait > 0) this.queue.addAfter(name, wait);
      else this.queue.add(name);
    };
    this.watches.push(inform(this.ctx.objects, NAMESPACES, { added: seen, modified: seen, deleted: (ns) => this.forget(ns.metadata.name!) }));
    // Each object that goes away from a terminating namespace may have been the last one.
    for (const info of NAMESPACED) {
      const gone = (o: KubeObject) => {
        const ns = o.metadata.namespace ?? '';
        if (this.emptying.has(ns)) this.queue.add(ns);
      };
      this.watches.push(inform(this.ctx.objects, info, { deleted: gone }));
    }
  }

  stop(): void {
    for (const w of this.watches) w.close();
    this.watches = [];
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private forget(name: string): void {
    this.terminating.delete(name);
    this.emptying.delete(name);
  }

  private async sync(name: string): Promise<void> {
    const ns = this.ctx.objects.find(NAMESPACES, '', name);
    if (!ns?.metadata.deletionTimestamp) return;
    this.emptying.add(name);
    const left = await this.deleteContent(name);
    if (left > 0) {
      this.queue.addAfter(name, this.opts.recheckMs ?? 5_000);
      return;
    }
    const done = await this.ctx.objects.mutate(NAMESPACES, '', name, withoutOwnFinalizers);
    if (!done || done.metadata.uid !== ns.metadata.uid) return;
    if (await this.ctx.objects.finalizeNamespace(name)) this.ctx.logger.info({ namespace: name }, 'namespace deleted');
  }

  // deleteContent deletes what is in the namespace and reports how many objects are still there.
  private async deleteContent(namespace: string): Promise<number> {
    let left = 0;
    for (const info of NAMESPACED) {
      const items = this.ctx.objects.list(info, { namespace }).items;
      left += items.length;
      const live = items.filter((o) => !o.metadata.deletionTimestamp);
      for (let i = 0; i < live.length; i += BATCH) {
        await Promise.all(
          live.slice(i, i + BATCH).map((o) =>
            this.ctx.objects
              .delete(info, namespace, o.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: o.metadata.uid } })
              .then(({ deleted }) => {
                if (deleted) left--;
              })
              .catch((e) => {
                if (e instanceof ApiError && e.reason === 'NotFound') left--;
                else throw e;
              }),
          ),
        );
      }
    }
    return left;
  }
}

// withoutOwnFinalizers drops the finalizers this controller and the GC stand for; undefined when
// there is nothing to drop.
function withoutOwnFinalizers(ns: KubeObject): KubeObject | undefined {
  const spec = (ns.spec?.finalizers ?? []) as string[];
  const meta = ns.metadata.finalizers ?? [];
  const keepSpec = spec.filter((f) => f !== KUBERNETES);
  const keepMeta = meta.filter((f) => f !== FOREGROUND && f !== ORPHAN);
  if (keepSpec.length === spec.length && keepMeta.length === meta.length) return undefined;
  // An empty list, not none: the Namespace defaults would put "kubernetes" back.
  ns.spec = { ...(ns.spec ?? {}), finalizers: keepSpec };
  ns.metadata.finalizers = keepMeta;
  return ns;
}
