// filter: label and field selectors applied to lists and to watch streams. A watch with a
// selector sees an object that stops matching as DELETED and one that starts matching as
// ADDED, exactly as the apiserver's watch cache reports it.
import type { KubeObject, WatchEventType } from '../../shared/api/meta.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from '../../shared/selectors.js';
import { badRequest } from '../api/errors.js';
import type { StoreEvent } from '../store/types.js';

export type Matcher = (o: KubeObject) => boolean;

export function matcher(labelSelector?: string, fieldSelector?: string): Matcher | undefined {
  if (!labelSelector && !fieldSelector) return undefined;
  try {
    const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
    const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
    return (o) => (!labels || matchesLabels(labels, o.metadata.labels)) && (!fields || matchesFields(fields, o));
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
}

/** filterEvent returns the event a selector-filtered watcher should see, or undefined. */
export function filterEvent(e: StoreEvent, match: Matcher | undefined): { type: WatchEventType; object: KubeObject } | undefined {
  if (!match) return { type: e.type, object: e.object };
  const now = match(e.object);
  switch (e.type) {
    case 'ADDED':
      return now ? { type: 'ADDED', object: e.object } : undefined;
    case 'DELETED':
      return now || (e.prev && match(e.prev)) ? { type: 'DELETED', object: e.object } : undefined;
    case 'MODIFIED': {
      if (!e.prev) return now ? { type: 'MODIFIED', object: e.object } : undefined;
      const before = match(e.prev);
      if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: e.object };
      return before ? { type: 'DELETED', object: e.object } : undefined;
    }
  }
}
