// fake-time: an injectable clock and Delay for controller tests; advance() moves the time and
// fires whatever is due, so lease expiry and back-off are tested without sleeping.
import type { Delay } from '../../server/controllers/queue.js';

export class FakeTime {
  now = Date.parse('2024-05-01T12:00:00Z');
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  readonly clock = { now: () => this.now };
  readonly delay: Delay = (ms, fn) => {
    const t = { at: this.now + ms, fn, live: true };
    this.timers.push(t);
    return {
      cancel: () => {
        t.live = false;
      },
    };
  };

  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => t.live && t.at <= this.now);
    this.timers = this.timers.filter((t) => !due.includes(t));
    for (const t of due) t.fn();
  }
}
