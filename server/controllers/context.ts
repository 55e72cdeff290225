// context: what every controller is given.
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import type { ServerConfig } from '../config.js';
import type { ObjectService } from '../objects/object-service.js';
import type { EventRecorder } from './events.js';

export interface ControllerContext {
  objects: ObjectService;
  clock: Clock;
  logger: Logger;
  config: Pick<ServerConfig, 'nodeMonitorGracePeriod' | 'defaultNotReadyToleration' | 'clusterCidr' | 'nodeCidrMaskSize'>;
  events: EventRecorder;
}

export interface Controller {
  readonly name: string;
  start(): void;
  stop(): void;
  /** idle resolves when the controller has nothing queued (tests and benchmarks). */
  idle(): Promise<void>;
}
