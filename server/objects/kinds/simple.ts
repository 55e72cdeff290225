// simple: the kinds with little server-side behaviour.
import { rfc3339 } from '../../../shared/clock.js';
import type { KindStrategy } from './strategy.js';

export const namespaceStrategy: KindStrategy = {
  defaults(obj) {
    obj.spec ??= {};
    obj.spec.finalizers ??= ['kubernetes'];
  },
  prepareCreate(obj) {
    obj.status = { phase: 'Active' };
  },
};

export const secretStrategy: KindStrategy = {
  defaults(obj) {
    obj.type ??= 'Opaque';
    // stringData is write-only convenience: fold it into data, as the apiserver does.
    if (obj.stringData && typeof obj.stringData === 'object') {
      obj.data = { ...(obj.data ?? {}) };
      for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString('base64');
      delete obj.stringData;
    }
  },
};

export const eventStrategy: KindStrategy = {
  defaults(obj, ctx) {
    obj.count ??= 1;
    obj.type ??= 'Normal';
    const now = rfc3339(ctx.clock.now());
    obj.firstTimestamp ??= obj.eventTime ?? now;
    obj.lastTimestamp ??= obj.firstTimestamp;
    obj.source ??= {};
  },
};
