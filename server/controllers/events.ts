// events: records core/v1 Events about objects, as controllers and the scheduler explain what
// they did. Repeats of the same (object, reason, message) bump count and lastTimestamp on one
// Event instead of creating new ones, so a crash-looping pod cannot flood the database.
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { type Clock, rfc3339 } from '../../shared/clock.js';
import type { ObjectService } from '../objects/object-service.js';
import { randomSuffix } from '../objects/names.js';

const EVENTS = findResource('', 'v1', 'events')!;

export interface EventRecorder {
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component?: string): void;
}

export function eventRecorder(objects: ObjectService, clock: Clock, onError: (e: unknown) => void = () => {}): EventRecorder {
  const seen = new Map<string, string>(); // aggregation key → event name
  return {
    record(obj, type, reason, message, component = 'bramble-controller') {
      const ns = obj.metadata.namespace || 'default';
      const key = `${obj.metadata.uid}|${reason}|${message}`;
      const now = rfc3339(clock.now());
      const existing = seen.get(key);
      const write = async () => {
        if (existing) {
          const updated = await objects.mutate(EVENTS, ns, existing, (e) => {
            e.count = (e.count ?? 1) + 1;
            e.lastTimestamp = now;
            return e;
          });
          if (updated) return;
        }
        const name = `${obj.metadata.name}.${randomSuffix(10)}`;
        seen.set(key, name);
        if (seen.size > 5000) seen.delete(seen.keys().next().value!);
        await objects.create(EVENTS, ns, {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace: ns },
          involvedObject: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: obj.metadata.name,
            namespace: obj.metadata.namespace,
            uid: obj.metadata.uid,
            resourceVersion: obj.metadata.resourceVersion,
          },
          reason,
          message,
          type,
          source: { component },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          reportingComponent: component,
          reportingInstance: '',
        });
      };
      write().catch(onError);
    },
  };
}
