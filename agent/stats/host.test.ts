import { describe, expect, it, vi } from 'vitest';
import { describeThrottled, HOST_PATHS, type HostProbe, HostSampler, parseLoadavgTasks, parseMeminfo, parseThrottled } from './host.js';

describe('parsers', () => {
  it('parseMeminfo reads MemTotal and MemAvailable', () => {
    const text = 'MemTotal:        3884564 kB\nMemFree:          123456 kB\nMemAvailable:    2945520 kB\n';
    expect(parseMeminfo(text)).toEqual({ total: 3884564 * 1024, available: 2945520 * 1024 });
    expect(parseMeminfo('MemTotal: 1 kB\n')).toBeUndefined();
  });

  it('parseLoadavgTasks reads the task count', () => {
    expect(parseLoadavgTasks('0.08 0.03 0.01 1/231 4242\n')).toBe(231);
    expect(parseLoadavgTasks('')).toBeUndefined();
  });

  it.each([
    ['throttled=0x50000\n', 0x50000],
    ['throttled=0x0', 0],
    ['50005\n', 0x50005],
    ['0', 0],
    ['VCHI initialization failed', undefined],
    [undefined, undefined],
  ])('parseThrottled(%j)', (text, want) => {
    expect(parseThrottled(text)).toBe(want);
  });

  it.each([
    [0, '0x0'],
    [0x50000, '0x50000: under-voltage occurred, throttling occurred'],
    [0x50005, '0x50005: under-voltage now, throttled now, under-voltage occurred, throttling occurred'],
  ])('describeThrottled(%i)', (bits, want) => {
    expect(describeThrottled(bits)).toBe(want);
  });
});

function probe(files: Record<string, string>, extra: Partial<HostProbe> = {}): HostProbe {
  return {
    read: async (p) => files[p],
    statfs: async () => ({ total: 100 * 1024 ** 3, available: 40 * 1024 ** 3 }),
    vcgencmd: vi.fn(async () => undefined),
    siTemperature: vi.fn(async () => undefined),
    ...extra,
  };
}

describe('HostSampler', () => {
  it('reads a Raspberry Pi from sysfs without spawning vcgencmd or loading systeminformation', async () => {
    const p = probe({
      [HOST_PATHS.meminfo]: 'MemTotal: 4000 kB\nMemAvailable: 1000 kB\n',
      [HOST_PATHS.loadavg]: '0.1 0.2 0.3 2/300 999\n',
      [HOST_PATHS.pidMax]: '32768\n',
      [HOST_PATHS.thermal]: '48312\n',
      [HOST_PATHS.throttled]: '50000\n',
    });
    const s = await new HostSampler(p, '/data').sample();
    expect(s).toEqual({
      memTotal: 4000 * 1024,
      memAvailable: 1000 * 1024,
      diskTotal: 100 * 1024 ** 3,
      diskAvailable: 40 * 1024 ** 3,
      pids: 300,
      pidMax: 32768,
      temperatureC: 48.312,
      throttled: 0x50000,
    });
    expect(p.vcgencmd).not.toHaveBeenCalled();
    expect(p.siTemperature).not.toHaveBeenCalled();
  });

  it('falls back to vcgencmd and systeminformation, and stops asking when they know nothing', async () => {
    const vcgencmd = vi.fn(async () => 'throttled=0x4\n');
    const siTemperature = vi.fn(async () => undefined);
    const h = new HostSampler(probe({}, { vcgencmd, siTemperature }), '/data');
    const first = await h.sample();
    expect(first.throttled).toBe(4);
    expect(first.temperatureC).toBeUndefined();
    await h.sample();
    expect(vcgencmd).toHaveBeenCalledTimes(2);
    expect(siTemperature).toHaveBeenCalledTimes(1);
  });
});
