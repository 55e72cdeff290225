// context: what every handler gets: the object service, the clock, and optional sources that
// later parts of the system provide (pod logs from agents).
import type { KubeObject } from '../../../shared/api/meta.js';
import type { Clock } from '../../../shared/clock.js';
import type { ObjectService } from '../../objects/object-service.js';

export interface LogOptions {
  container: string;
  follow: boolean;
  tailLines?: number;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
}

/** LogSource streams a container's log from wherever the pod runs. */
export interface LogSource {
  stream(pod: KubeObject, opts: LogOptions, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

export interface ApiContext {
  objects: ObjectService;
  clock: Clock;
  logs?: LogSource;
}

export function json(status: number, body: unknown, contentType = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
}
