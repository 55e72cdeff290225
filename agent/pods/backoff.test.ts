import { describe, expect, it } from 'vitest';
import { CrashBackoff, crashBackoffMs, PullBackoff, pullBackoffMs, seconds } from './backoff.js';

describe('back-off durations', () => {
  it('restarts at once, then waits 10 s, 20 s, 40 s … capped at 5 min', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 9].map(crashBackoffMs)).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    expect([1, 2, 3, 10].map(pullBackoffMs)).toEqual([10_000, 20_000, 40_000, 300_000]);
    expect([10_000, 300_000, 90_000].map(seconds)).toEqual(['10s', '5m0s', '1m30s']);
  });
});

describe('CrashBackoff', () => {
  it('grows with each quick failure and decides once per failed container', () => {
    const b = new CrashBackoff();
    expect(b.check('a', 0, 1_000)).toEqual({ go: true, fresh: true });
    expect(b.check('b', 1_000, 2_000)).toEqual({ go: false, until: 12_000, waitMs: 10_000, fresh: true });
    expect(b.check('b', 1_000, 5_000)).toEqual({ go: false, until: 12_000, waitMs: 10_000, fresh: false });
    expect(b.check('b', 1_000, 12_000)).toEqual({ go: true, fresh: false });
    expect(b.check('c', 12_000, 13_000)).toMatchObject({ go: false, waitMs: 20_000 });
  });

  it('starts over after a container ran 10 minutes', () => {
    const b = new CrashBackoff();
    b.check('a', 0, 1_000);
    b.check('b', 1_000, 2_000);
    expect(b.check('c', 100_000, 100_000 + 600_000)).toEqual({ go: true, fresh: true });
    expect(b.check('d', 700_001, 700_002)).toMatchObject({ go: false, waitMs: 10_000 });
  });

  it('forgives containers Bramble stopped itself', () => {
    const b = new CrashBackoff();
    b.check('a', 0, 1_000);
    b.forgive('b', 2_000);
    expect(b.check('b', 0, 2_000)).toEqual({ go: true, fresh: false });
  });
});

describe('PullBackoff', () => {
  it('shows ErrImagePull for a moment, then ImagePullBackOff until the next attempt', () => {
    const p = new PullBackoff();
    expect(p.blocked('x:1', 0)).toBeUndefined();
    expect(p.failed('ErrImagePull', 'not found', 0)).toEqual({ reason: 'ErrImagePull', message: 'not found', until: 1_000 });
    expect(p.blocked('x:1', 500)).toEqual({ reason: 'ErrImagePull', message: 'not found', until: 1_000 });
    expect(p.blocked('x:1', 1_000)).toEqual({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "x:1"', until: 10_000 });
    expect(p.blocked('x:1', 10_000)).toBeUndefined();
    expect(p.failed('ErrImagePull', 'not found', 10_000).until).toBe(11_000);
    expect(p.blocked('x:1', 11_000)?.until).toBe(30_000);
    p.succeeded();
    expect(p.blocked('x:1', 11_000)).toBeUndefined();
  });

  it('keeps its own reason for a platform mismatch', () => {
    const p = new PullBackoff();
    p.failed('ImageInspectError', 'built for linux/amd64', 0);
    expect(p.blocked('x:1', 5_000)).toEqual({ reason: 'ImageInspectError', message: 'built for linux/amd64', until: 10_000 });
  });
});
