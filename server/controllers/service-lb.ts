// service-lb: status.loadBalancer of `type: LoadBalancer` services. Every node listens on the
// service's port (the agents' proxy), so the ingress is every node's InternalIP (see
// service-lb-logic.ts); a service whose type changes away from LoadBalancer has it cleared. Writes
// go through the status subresource. The queue's keys are service keys "ns/name".
//
//   Service added/changed ──────────────▶ that service, if it is (or was) a load balancer
//   Node InternalIP added/changed/gone ──▶ every load balancer service
//
// Node status writes that leave the InternalIP as it was (conditions, heartbeats) enqueue nothing.
import type { Node } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import type { Service } from '../../shared/api/service.js';
import type { Controller, ControllerContext } from './context.js';
import { inform, nsKey, splitKey } from './informer.js';
import { WorkQueue } from './queue.js';
import { applyIngress, desiredIngress, type Ingress, ingressChanged, ingressOf, isLoadBalancer, nodeIngressIp } from './service-lb-logic.js';

const SERVICES = findResource('', 'v1', 'services')!;
const NODES = findResource('', 'v1', 'nodes')!;

export function serviceLbController(ctx: ControllerContext): Controller {
  const log = ctx.logger.child({ controller: 'service-lb' });
  const queue = new WorkQueue(sync, { concurrency: 4, onError: (key, err) => log.warn({ err, service: key }, 'load balancer status update failed') });
  /** nodeIps: node name → its ingress address. */
  const nodeIps = new Map<string, string>();
  /** balancers: the keys of the LoadBalancer services. */
  const balancers = new Set<string>();
  let ingress: Ingress | undefined;
  let watches: { close(): void }[] = [];
  // Until both informers have delivered their first list, keys wait: a sync that saw the services
  // but not yet the nodes would write an empty ingress.
  let pending: Set<string> | undefined;
  const add = (k: string) => (pending ? pending.add(k) : queue.add(k));

  const currentIngress = (): Ingress => {
    ingress ??= ingressOf(nodeIps.values());
    return ingress;
  };

  async function sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const svc = ctx.objects.find(SERVICES, ns, name) as Service | undefined;
    if (!svc) return;
    const want = desiredIngress(svc, currentIngress());
    if (!want || !ingressChanged(svc, want)) return;
    await ctx.objects.mutate(
      SERVICES,
      ns,
      name,
      (o) => {
        const now = desiredIngress(o as Service, currentIngress());
        return now && ingressChanged(o as Service, now) ? applyIngress(o as Service, now) : undefined;
      },
      { subresource: 'status' },
    );
  }

  const onService = (o: KubeObject) => {
    const svc = o as Service;
    const key = nsKey(svc);
    if (isLoadBalancer(svc)) balancers.add(key);
    else balancers.delete(key);
    // A service that is not a load balancer is looked at only while it still has an ingress.
    if (isLoadBalancer(svc) || svc.status?.loadBalancer?.ingress?.length) add(key);
  };

  const onNode = (o: KubeObject, gone = false) => {
    const name = o.metadata.name!;
    const ip = gone ? undefined : nodeIngressIp(o as Node);
    if (nodeIps.get(name) === ip) return;
    if (ip) nodeIps.set(name, ip);
    else nodeIps.delete(name);
    // Recomputed lazily, once per burst: 5,000 nodes registering must not sort 5,000 times.
    ingress = undefined;
    for (const k of balancers) add(k);
  };

  return {
    name: 'service-lb',
    start() {
      pending = new Set();
      watches = [
        inform(ctx.objects, NODES, { added: (o) => onNode(o), modified: (o) => onNode(o), deleted: (o) => onNode(o, true) }),
        inform(ctx.objects, SERVICES, { added: onService, modified: onService, deleted: (o) => balancers.delete(nsKey(o)) }),
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
