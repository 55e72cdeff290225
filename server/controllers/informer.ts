// informer: in-process list+watch. The store's cache is already the informer cache, so an
// informer here only turns changes of one resource into handler calls; controllers read current
// state from the object service when they process a key.
import type { KubeObject } from '../../shared/api/meta.js';
import type { ResourceInfo } from '../../shared/api/resources.js';
import type { ObjectService } from '../objects/object-service.js';

export interface Handlers {
  added?(o: KubeObject): void;
  modified?(o: KubeObject): void;
  deleted?(o: KubeObject): void;
}

export function inform(objects: ObjectService, info: ResourceInfo, h: Handlers): { close(): void } {
  return objects.watch(info, {}, (type, o) => {
    if (type === 'ADDED') h.added?.(o);
    else if (type === 'MODIFIED') h.modified?.(o);
    else h.deleted?.(o);
  });
}

/** nsKey / splitKey: the queue key of a namespaced object. */
export function nsKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** controllerOf returns the ownerReference marked controller, if any. */
export function controllerOf(o: KubeObject) {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}
