// strategy: what differs per kind when objects are created, updated and deleted (like the
// apiserver's registry strategies). Everything common lives in object-service.ts.
import type { KubeObject } from '../../../shared/api/meta.js';
import type { ResourceInfo } from '../../../shared/api/resources.js';
import type { Clock } from '../../../shared/clock.js';

export interface StrategyContext {
  clock: Clock;
  /** list reads current objects of another resource (for allocation and reference checks). */
  list(resource: string, namespace?: string): KubeObject[];
}

export interface KindStrategy {
  /** defaults fills in defaults on create (and on update for fields that must always be set). */
  defaults?(obj: KubeObject, ctx: StrategyContext): void;
  /** prepareCreate sets server-owned fields on create (status, allocations). */
  prepareCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** prepareUpdate carries server-owned fields over from the old object on update. */
  prepareUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
}

export type StrategyFor = (info: ResourceInfo) => KindStrategy;
