// endpoints-index: which pods each service selects, kept up to date one event at a time so the
// endpoints controller never rescans every pod. Costs: a pod event is O(services in its namespace),
// a service's selector change is O(pods in its namespace) once, a sync reads only its members.
import type { Pod } from '../../shared/api/core.js';
import { matchesSelector, type Service, selectorOf } from './endpoints-logic.js';
import { nsKey } from './informer.js';

interface ServiceEntry {
  selector: Record<string, string> | undefined;
  members: Set<string>;
}

export class ServicePodIndex {
  /** pods: namespace → pod key → pod. */
  private readonly pods = new Map<string, Map<string, Pod>>();
  /** services: namespace → service key → selector and the keys of the pods it selects. */
  private readonly services = new Map<string, Map<string, ServiceEntry>>();

  /** putPod records a pod and returns the keys of the services it was or is selected by. */
  putPod(p: Pod): string[] {
    const ns = p.metadata.namespace ?? '';
    const key = nsKey(p);
    inner(this.pods, ns).set(key, p);
    const touched: string[] = [];
    for (const [svcKey, e] of this.services.get(ns) ?? []) {
      const was = e.members.has(key);
      const is = !!e.selector && matchesSelector(e.selector, p.metadata.labels);
      if (is) e.members.add(key);
      else e.members.delete(key);
      if (was || is) touched.push(svcKey);
    }
    return touched;
  }

  getPod(key: string): Pod | undefined {
    const ns = key.slice(0, key.indexOf('/'));
    return this.pods.get(ns)?.get(key);
  }

  /** removePod forgets a pod and returns the keys of the services that selected it. */
  removePod(p: Pod): string[] {
    const ns = p.metadata.namespace ?? '';
    const key = nsKey(p);
    const m = this.pods.get(ns);
    m?.delete(key);
    if (m?.size === 0) this.pods.delete(ns);
    const touched: string[] = [];
    for (const [svcKey, e] of this.services.get(ns) ?? []) if (e.members.delete(key)) touched.push(svcKey);
    return touched;
  }

  /** putService records a service; its members are recomputed only when its selector changed. */
  putService(s: Service): void {
    const ns = s.metadata.namespace ?? '';
    const key = nsKey(s);
    const selector = selectorOf(s);
    const svcs = inner(this.services, ns);
    const prev = svcs.get(key);
    if (prev && JSON.stringify(prev.selector) === JSON.stringify(selector)) return;
    const members = new Set<string>();
    if (selector) {
      for (const [podKey, p] of this.pods.get(ns) ?? []) if (matchesSelector(selector, p.metadata.labels)) members.add(podKey);
    }
    svcs.set(key, { selector, members });
  }

  removeService(s: Service): void {
    const ns = s.metadata.namespace ?? '';
    const svcs = this.services.get(ns);
    svcs?.delete(nsKey(s));
    if (svcs?.size === 0) this.services.delete(ns);
  }

  /** podsOf returns the pods a service selects (none for an unknown service). */
  podsOf(svcKey: string): Pod[] {
    const ns = svcKey.slice(0, svcKey.indexOf('/'));
    const e = this.services.get(ns)?.get(svcKey);
    if (!e) return [];
    const out: Pod[] = [];
    const pods = this.pods.get(ns);
    for (const k of e.members) {
      const p = pods?.get(k);
      if (p) out.push(p);
    }
    return out;
  }
}

function inner<V>(m: Map<string, Map<string, V>>, k: string): Map<string, V> {
  let v = m.get(k);
  if (!v) {
    v = new Map();
    m.set(k, v);
  }
  return v;
}
