// controller-harness: controllers on a real LogStore (a libSQL file in a temp dir) and
// ObjectService, without HTTP — what the controller integration tests share.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { findResource } from '../../shared/api/resources.js';
import { systemClock } from '../../shared/clock.js';
import type { Controller, ControllerContext } from '../../server/controllers/context.js';
import { eventRecorder } from '../../server/controllers/events.js';
import { ObjectService } from '../../server/objects/object-service.js';
import { LogStore } from '../../server/store/log-store.js';

export interface Harness {
  store: LogStore;
  objects: ObjectService;
  ctx: ControllerContext;
  controllers: Controller[];
  /** until polls, letting the controllers drain between looks, until check passes or time is up. */
  until(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(make: (ctx: ControllerContext, objects: ObjectService) => Controller[]): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-controllers-'));
  const store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
  const objects = new ObjectService(store, systemClock, {
    pods: { notReadyTolerationSeconds: 5 },
    services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
  });
  await objects.create(findResource('', 'v1', 'namespaces')!, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const ctx: ControllerContext = {
    objects,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    config: { nodeMonitorGracePeriod: 3_000, defaultNotReadyToleration: 5_000, clusterCidr: '10.42.0.0/16' },
    events: eventRecorder(objects, systemClock),
  };
  const controllers = make(ctx, objects);
  for (const c of controllers) c.start();
  return {
    store,
    objects,
    ctx,
    controllers,
    async until(what, check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await Promise.all(controllers.map((c) => c.idle()));
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      for (const c of controllers) c.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
