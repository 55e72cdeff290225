// host: the changing facts of this machine, read every sample — free memory, disk, PIDs, SoC
// temperature and Raspberry Pi throttling. Cheap sources first: /proc and /sys are plain file
// reads; systeminformation (~12 MB of RSS) is imported only on machines without a thermal zone,
// and vcgencmd is spawned only when the firmware's sysfs file is missing.
import { execFile } from 'node:child_process';
import { readFile, statfs } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import type { ReadText } from './fingerprint.js';

export const HOST_PATHS = {
  meminfo: '/proc/meminfo',
  loadavg: '/proc/loadavg',
  pidMax: '/proc/sys/kernel/pid_max',
  thermal: '/sys/class/thermal/thermal_zone0/temp',
  throttled: '/sys/devices/platform/soc/soc:firmware/get_throttled',
} as const;

export interface HostSample {
  memTotal: number;
  memAvailable: number;
  diskTotal?: number;
  diskAvailable?: number;
  pids?: number;
  pidMax?: number;
  temperatureC?: number;
  /** throttled: the firmware's throttle bits (Raspberry Pi only). */
  throttled?: number;
}

/** HostProbe is every way the sampler touches the machine; tests replace it. */
export interface HostProbe {
  read: ReadText;
  statfs(path: string): Promise<{ total: number; available: number } | undefined>;
  /** vcgencmd runs `vcgencmd get_throttled`; undefined when it is not installed. */
  vcgencmd(): Promise<string | undefined>;
  /** siTemperature asks systeminformation (lazily loaded); undefined when it knows none. */
  siTemperature(): Promise<number | undefined>;
}

export const readText: ReadText = async (path) => {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
};

export const localProbe: HostProbe = {
  read: readText,
  async statfs(path) {
    try {
      const s = await statfs(path);
      return { total: s.blocks * s.bsize, available: s.bavail * s.bsize };
    } catch {
      return undefined;
    }
  },
  vcgencmd() {
    return new Promise((resolve) => {
      execFile('vcgencmd', ['get_throttled'], { timeout: 2_000 }, (err, stdout) => resolve(err ? undefined : stdout));
    });
  },
  async siTemperature() {
    try {
      const si = await import('systeminformation');
      const t = await si.cpuTemperature();
      return typeof t.main === 'number' && t.main > -273 ? t.main : undefined;
    } catch {
      return undefined;
    }
  },
};

/** parseMeminfo returns MemTotal and MemAvailable in bytes. */
export function parseMeminfo(text: string | undefined): { total: number; available: number } | undefined {
  const kb = (key: string) => {
    const m = text && new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return total !== undefined && available !== undefined ? { total, available } : undefined;
}

/** parseLoadavgTasks reads the total number of tasks (threads) from /proc/loadavg ("0.1 0.2 0.3 2/345 678"). */
export function parseLoadavgTasks(text: string | undefined): number | undefined {
  const m = text && /^\S+ \S+ \S+ \d+\/(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** parseThrottled reads "throttled=0x50000" (vcgencmd) or "50000" (sysfs, hex) into the bit field. */
export function parseThrottled(text: string | undefined): number | undefined {
  const m = text && /^(?:throttled=)?(?:0x)?([0-9a-f]+)\s*$/i.exec(text.trim());
  return m ? Number.parseInt(m[1], 16) : undefined;
}

const THROTTLE_BITS: [number, string][] = [
  [0, 'under-voltage now'],
  [1, 'frequency capped now'],
  [2, 'throttled now'],
  [3, 'soft temperature limit now'],
  [16, 'under-voltage occurred'],
  [17, 'frequency capping occurred'],
  [18, 'throttling occurred'],
  [19, 'soft temperature limit occurred'],
];

/** describeThrottled: "0x0", or "0x50000: under-voltage occurred, throttling occurred". */
export function describeThrottled(bits: number): string {
  const hex = `0x${bits.toString(16)}`;
  const words = THROTTLE_BITS.filter(([bit]) => bits & (1 << bit)).map(([, w]) => w);
  return words.length ? `${hex}: ${words.join(', ')}` : hex;
}

/** HostSampler remembers which sources this machine lacks, so it stops asking for them. */
export class HostSampler {
  private noThermal = false;
  private noSiTemp = false;
  private noSysfsThrottle = false;
  private noVcgencmd = false;

  constructor(
    private readonly probe: HostProbe,
    private readonly dataDir: string,
  ) {}

  async sample(): Promise<HostSample> {
    const [mem, disk, loadavg, pidMax, temperatureC, throttled] = await Promise.all([
      this.probe.read(HOST_PATHS.meminfo),
      this.probe.statfs(this.dataDir),
      this.probe.read(HOST_PATHS.loadavg),
      this.probe.read(HOST_PATHS.pidMax),
      this.temperature(),
      this.throttled(),
    ]);
    const m = parseMeminfo(mem) ?? { total: totalmem(), available: freemem() };
    return {
      memTotal: m.total,
      memAvailable: m.available,
      diskTotal: disk?.total,
      diskAvailable: disk?.available,
      pids: parseLoadavgTasks(loadavg),
      pidMax: pidMax ? Number(pidMax.trim()) || undefined : undefined,
      temperatureC,
      throttled,
    };
  }

  private async temperature(): Promise<number | undefined> {
    if (!this.noThermal) {
      const raw = await this.probe.read(HOST_PATHS.thermal);
      const milli = raw === undefined ? Number.NaN : Number(raw.trim());
      if (Number.isFinite(milli)) return milli / 1000;
      this.noThermal = true;
    }
    if (this.noSiTemp) return undefined;
    const t = await this.probe.siTemperature();
    if (t === undefined) this.noSiTemp = true;
    return t;
  }

  private async throttled(): Promise<number | undefined> {
    if (!this.noSysfsThrottle) {
      const v = parseThrottled(await this.probe.read(HOST_PATHS.throttled));
      if (v !== undefined) return v;
      this.noSysfsThrottle = true;
    }
    if (this.noVcgencmd) return undefined;
    const v = parseThrottled(await this.probe.vcgencmd());
    if (v === undefined) this.noVcgencmd = true;
    return v;
  }
}
