// cache: every current object in memory, indexed resource → namespace → name, so get, list and
// watch never touch the disk. Entries are replaced, never mutated, so a list can hand out the
// objects themselves without copying.
import type { KubeObject } from '../../shared/api/meta.js';
import type { ObjectKey } from './types.js';

type ByName = Map<string, KubeObject>;

export class ObjectCache {
  private readonly resources = new Map<string, Map<string, ByName>>();

  get(k: ObjectKey): KubeObject | undefined {
    return this.resources.get(k.resource)?.get(k.namespace)?.get(k.name);
  }

  set(k: ObjectKey, obj: KubeObject): void {
    let byNs = this.resources.get(k.resource);
    if (!byNs) {
      byNs = new Map();
      this.resources.set(k.resource, byNs);
    }
    let byName = byNs.get(k.namespace);
    if (!byName) {
      byName = new Map();
      byNs.set(k.namespace, byName);
    }
    byName.set(k.name, obj);
  }

  delete(k: ObjectKey): void {
    const byNs = this.resources.get(k.resource);
    const byName = byNs?.get(k.namespace);
    if (!byName) return;
    byName.delete(k.name);
    if (byName.size === 0) byNs!.delete(k.namespace);
  }

  /** list returns the objects of one resource, in one namespace or (undefined) in all of them. */
  list(resource: string, namespace?: string): KubeObject[] {
    const byNs = this.resources.get(resource);
    if (!byNs) return [];
    if (namespace !== undefined) return [...(byNs.get(namespace)?.values() ?? [])];
    const out: KubeObject[] = [];
    for (const byName of byNs.values()) for (const o of byName.values()) out.push(o);
    return out;
  }

  count(): number {
    let n = 0;
    for (const byNs of this.resources.values()) for (const byName of byNs.values()) n += byName.size;
    return n;
  }
}
