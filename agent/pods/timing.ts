// timing: the injected delay function the pod workers use, so tests drive every timer with a
// manual clock and never sleep.

/** Delay runs fn after ms; the result cancels it. Tests pass a fake that fires on advance(). */
export type Delay = (ms: number, fn: () => void) => { cancel(): void };

export const realDelay: Delay = (ms, fn) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return { cancel: () => clearTimeout(t) };
};

/** parseTime reads an RFC 3339 time from the runtime; undefined when absent or unreadable. */
export function parseTime(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}
