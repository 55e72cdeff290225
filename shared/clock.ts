// clock: time is injected everywhere it matters (leases, back-off, ages) so tests never sleep.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** rfc3339 formats a time as Kubernetes does in metadata: whole seconds, UTC, "Z". */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** rfc3339Micro formats a time as Kubernetes' MicroTime (Lease renewTime, Event eventTime). */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
