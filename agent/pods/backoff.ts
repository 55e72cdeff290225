// backoff: the restart and image-pull back-off of one container, as the kubelet keeps them. Pure:
// every method takes the time, and answers with what to show and when to look again.
//
// Restarts: the first restart after a failure is immediate, then 10 s, 20 s, 40 s … capped at
// 5 min; a container that ran 10 min before failing starts over. Pulls: a failed pull shows
// ErrImagePull for a moment, then ImagePullBackOff until the next attempt (10 s, 20 s … 5 min).

export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** BACKOFF_RESET_MS: a container that ran this long before failing starts its back-off over. */
export const BACKOFF_RESET_MS = 600_000;
/** PULL_ERROR_HOLD_MS: how long ErrImagePull shows before the status turns to ImagePullBackOff. */
export const PULL_ERROR_HOLD_MS = 1_000;

/** crashBackoffMs is the wait before the restart that follows the `step`-th consecutive failure (from 0). */
export function crashBackoffMs(step: number): number {
  if (step <= 0) return 0;
  return Math.min(BACKOFF_BASE_MS * 2 ** (step - 1), BACKOFF_MAX_MS);
}

/** pullBackoffMs is the wait before pulling again after the `failures`-th failed pull. */
export function pullBackoffMs(failures: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS);
}

/** seconds formats a duration as the kubelet does in back-off messages: "10s", "5m0s". */
export function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

export type Verdict = { go: true } | { go: false; until: number; waitMs: number };

/** CrashBackoff decides when a stopped container may run again. */
export class CrashBackoff {
  private step = 0;
  private seenId?: string;
  private restartAt = 0;
  private waitMs = 0;

  /**
   * check looks at the stopped container `id` (which started at `startedAt`): `fresh` is true the
   * first time a failure is seen, so the caller sends one BackOff event per failure.
   */
  check(id: string, startedAt: number | undefined, now: number): Verdict & { fresh: boolean } {
    let fresh = false;
    if (this.seenId !== id) {
      fresh = true;
      this.seenId = id;
      if (startedAt !== undefined && now - startedAt >= BACKOFF_RESET_MS) this.step = 0;
      this.waitMs = crashBackoffMs(this.step);
      this.restartAt = now + this.waitMs;
      this.step++;
    }
    if (now >= this.restartAt) return { go: true, fresh };
    return { go: false, until: this.restartAt, waitMs: this.waitMs, fresh };
  }

  /** forgive lets the stopped container `id` restart at once: Bramble stopped it (a spec change, a new sandbox). */
  forgive(id: string, now: number): void {
    this.seenId = id;
    this.restartAt = now;
    this.waitMs = 0;
  }
}

export interface PullWait {
  reason: string;
  message: string;
  /** until: when to look again (the end of ErrImagePull's moment, or the next attempt). */
  until: number;
}

/** PullBackoff spaces out failed image pulls (and platform checks) of one container. */
export class PullBackoff {
  private failures = 0;
  private failedAt = 0;
  private retryAt?: number;
  private error?: { reason: string; message: string };

  /** blocked says what to show while no pull may be tried, or undefined when one may. */
  blocked(image: string, now: number): PullWait | undefined {
    if (this.retryAt === undefined || !this.error || now >= this.retryAt) return undefined;
    const holdEnd = this.failedAt + PULL_ERROR_HOLD_MS;
    if (this.error.reason !== 'ErrImagePull') return { ...this.error, until: this.retryAt };
    if (now < holdEnd) return { ...this.error, until: holdEnd };
    return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"`, until: this.retryAt };
  }

  failed(reason: string, message: string, now: number): PullWait {
    this.failures++;
    this.failedAt = now;
    this.retryAt = now + pullBackoffMs(this.failures);
    this.error = { reason, message };
    return { reason, message, until: reason === 'ErrImagePull' ? now + PULL_ERROR_HOLD_MS : this.retryAt };
  }

  succeeded(): void {
    this.failures = 0;
    this.retryAt = undefined;
    this.error = undefined;
  }
}
