// index: starts every controller of the server.
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import type { ServerConfig } from '../config.js';
import type { ObjectService } from '../objects/object-service.js';
import type { Controller, ControllerContext } from './context.js';
import { deploymentController } from './deployment.js';
import { disruptionController } from './disruption.js';
import { endpointsController } from './endpoints.js';
import { eventRecorder } from './events.js';
import { replicaSetController } from './replicaset.js';
import { GarbageCollector } from './garbage-collector.js';
import { NamespaceController } from './namespace.js';
import { NodeLifecycleController } from './node-lifecycle.js';
import { podCidrController } from './pod-cidr.js';
import { schedulerController } from './scheduler.js';
import { serviceLbController } from './service-lb.js';

export interface Controllers {
  list: Controller[];
  context: ControllerContext;
  stop(): void;
  idle(): Promise<void>;
}

export interface ControllerDeps {
  objects: ObjectService;
  clock: Clock;
  logger: Logger;
  config: ServerConfig;
}

export function startControllers(d: ControllerDeps): Controllers {
  const logger = d.logger.child({ component: 'controllers' });
  const context: ControllerContext = {
    objects: d.objects,
    clock: d.clock,
    logger,
    config: d.config,
    events: eventRecorder(d.objects, d.clock, (err) => logger.warn({ err }, 'could not record event')),
  };
  const list: Controller[] = [schedulerController(context), new GarbageCollector(context), new NamespaceController(context), new NodeLifecycleController(context), replicaSetController(context), deploymentController(context), endpointsController(context), podCidrController(context), serviceLbController(context), disruptionController(context)];
  for (const c of list) c.start();
  return {
    list,
    context,
    stop: () => {
      for (const c of list) c.stop();
    },
    idle: async () => {
      for (let i = 0; i < 3; i++) await Promise.all(list.map((c) => c.idle()));
    },
  };
}
