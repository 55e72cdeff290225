// pod-cidr: gives every Node without spec.podCIDR the next free range of config.clusterCidr (a /24
// of 10.42.0.0/16 by default, --node-cidr-mask-size), like Kubernetes' node IPAM range allocator.
// The Node objects are the source of truth: at start the ranges they hold are marked taken before
// anything is handed out, so a restart reassigns nothing. One key at a time (concurrency 1) means
// no two nodes registering together get the same range; a deleted node's range is free again.
//
// When the cluster CIDR is full (the default has room for 256 nodes, as k3s'), a node without a
// range gets a CIDRNotAvailable event and one warning, and waits: it is tried again when another
// node's range is freed, and every RETRY_MS (the flags may have changed across a restart). Its
// agent stays up, saying it waits for a pod subnet; pods are not started there.
import type { Node } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import type { Controller, ControllerContext } from './context.js';
import { inform } from './informer.js';
import { CidrSet, NODE_MASK_SIZE, nodePodCidr } from './pod-cidr-logic.js';
import { WorkQueue } from './queue.js';

const NODES = findResource('', 'v1', 'nodes')!;
export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
const RETRY_MS = 60_000;

export function podCidrController(ctx: ControllerContext): Controller {
  const log = ctx.logger.child({ controller: 'pod-cidr' });
  const clusterCidr = ctx.config.clusterCidr || DEFAULT_CLUSTER_CIDR;
  const set = new CidrSet(clusterCidr, ctx.config.nodeCidrMaskSize ?? NODE_MASK_SIZE);
  /** held: node name → the range this controller counts as that node's. */
  const held = new Map<string, string>();
  /** waiting: nodes told there is no range left (warned once each). */
  const waiting = new Set<string>();
  const queue = new WorkQueue(sync, { concurrency: 1, onError: (key, err) => log.warn({ err, node: key }, 'pod CIDR allocation failed') });
  let watch: { close(): void } | undefined;
  let pending: string[] | undefined;

  function observe(o: KubeObject): void {
    const name = o.metadata.name!;
    const cidr = nodePodCidr(o.spec);
    if (!cidr) {
      if (pending) pending.push(name);
      else queue.add(name);
      return;
    }
    const prev = held.get(name);
    if (prev === cidr) return;
    if (prev) {
      held.delete(name);
      set.release(prev);
    }
    // A range that is not ours to give (outside the cluster CIDR, or a duplicate) is never freed.
    if (set.occupy(cidr)) held.set(name, cidr);
    else log.warn({ node: name, podCIDR: cidr }, 'node pod CIDR is outside the cluster CIDR or used by another node');
  }

  function forget(o: KubeObject): void {
    const name = o.metadata.name!;
    waiting.delete(name);
    const cidr = held.get(name);
    if (!cidr) return;
    held.delete(name);
    set.release(cidr);
    for (const w of waiting) queue.add(w); // a range is free: the first of them gets it
  }

  async function sync(name: string): Promise<void> {
    const node = ctx.objects.find(NODES, '', name) as Node | undefined;
    if (!node || node.metadata.deletionTimestamp || nodePodCidr(node.spec)) return;
    // A node that lost its spec.podCIDR (re-registered with a fresh spec) gets its old range back.
    const cidr = held.get(name) ?? set.allocate();
    if (!cidr) {
      if (!waiting.has(name)) {
        waiting.add(name);
        ctx.events.record(node, 'Warning', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable (no pod range left in ${clusterCidr})`);
        log.warn(
          { node: name, clusterCidr, ranges: set.size },
          'no pod CIDR left for this node: its pods cannot start; give a larger --cluster-cidr or a larger --node-cidr-mask-size',
        );
      }
      queue.addAfter(name, RETRY_MS);
      return;
    }
    waiting.delete(name);
    held.set(name, cidr);
    let result: KubeObject | undefined;
    try {
      result = await ctx.objects.mutate(NODES, '', name, (o) => {
        if (o.metadata.uid !== node.metadata.uid || nodePodCidr(o.spec)) return undefined;
        o.spec = { ...(o.spec ?? {}), podCIDR: cidr, podCIDRs: [cidr] };
        return o;
      });
    } catch (e) {
      giveBack(name, cidr);
      throw e;
    }
    if (nodePodCidr(result?.spec) !== cidr) giveBack(name, cidr);
    else log.info({ node: name, podCIDR: cidr }, 'assigned pod CIDR');
  }

  function giveBack(name: string, cidr: string): void {
    if (held.get(name) !== cidr) return;
    held.delete(name);
    set.release(cidr);
  }

  return {
    name: 'pod-cidr',
    start() {
      pending = [];
      watch = inform(ctx.objects, NODES, { added: observe, modified: observe, deleted: forget });
      const names = pending;
      pending = undefined;
      for (const n of names) queue.add(n);
    },
    stop() {
      watch?.close();
      watch = undefined;
      queue.stop();
    },
    idle: () => queue.idle(),
  };
}
