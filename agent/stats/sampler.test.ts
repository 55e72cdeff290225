import { describe, expect, it } from 'vitest';
import type { NodeReport } from '../../shared/mqtt/payloads.js';
import type { Fingerprint } from './fingerprint.js';
import type { HostSample } from './host.js';
import { buildNodeReport, checks, type RuntimeStatus, Sampler, sameReport } from './sampler.js';

const fp: Fingerprint = {
  arch: 'arm64',
  os: 'linux',
  hostname: 'pi-1',
  kernelVersion: '6.6.31',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  cpus: 4,
  memoryBytes: 4 * 1024 ** 3,
  machineID: 'm1',
  bootID: 'b1',
  board: { model: 'Raspberry Pi 4 Model B Rev 1.4', label: 'raspberry-pi-4-model-b' },
};
const GiB = 1024 ** 3;
const healthy: HostSample = { memTotal: 4 * GiB, memAvailable: 2 * GiB, diskTotal: 32 * GiB, diskAvailable: 20 * GiB, pids: 300, pidMax: 32768, temperatureC: 48.4, throttled: 0 };
const up: RuntimeStatus = { ok: true, info: { name: 'docker', version: '24.0.7', os: 'linux', architecture: 'aarch64', kernelVersion: '6.6.31', operatingSystem: 'Debian' } };
const down: RuntimeStatus = { ok: false, message: 'connect ENOENT' };
const id = { nodeName: 'pi-1', nodeIp: '192.168.1.21', extraLabels: { zone: 'attic' } };

const statusOf = (cs: { type: string; status: string }[], type: string) => cs.find((c) => c.type === type)?.status;

describe('checks', () => {
  it('reports a healthy node', () => {
    const cs = checks(healthy, up);
    expect(cs.map((c) => `${c.type}=${c.status}`)).toEqual(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
  });

  it.each([
    ['MemoryPressure', { memAvailable: 0.04 * 4 * GiB }],
    ['DiskPressure', { diskAvailable: 3 * GiB }],
    ['PIDPressure', { pids: 32000 }],
  ])('%s when its resource runs low', (type, change) => {
    expect(statusOf(checks({ ...healthy, ...change }, up), type)).toBe('True');
  });

  it('is NotReady, saying why, while the runtime does not answer', () => {
    const ready = checks(healthy, down).find((c) => c.type === 'Ready');
    expect(ready).toEqual({ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down: connect ENOENT' });
  });
});

describe('buildNodeReport', () => {
  it('builds capacity, labels, annotations, nodeInfo and addresses', () => {
    const r = buildNodeReport(fp, id, healthy, up, []);
    expect(r.capacity).toEqual({ cpu: '4', memory: '4194304Ki', pods: '110', 'ephemeral-storage': '33554432Ki' });
    expect(r.allocatable).toEqual(r.capacity);
    expect(r.labels).toEqual({
      'kubernetes.io/arch': 'arm64',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/hostname': 'pi-1',
      'bramble.io/board': 'raspberry-pi-4-model-b',
      zone: 'attic',
    });
    expect(r.annotations).toEqual({
      'bramble.io/board-model': 'Raspberry Pi 4 Model B Rev 1.4',
      'bramble.io/soc-temperature': '48°C',
      'bramble.io/throttled': '0x0',
    });
    expect(r.nodeInfo).toMatchObject({
      containerRuntimeVersion: 'docker://24.0.7',
      kubeletVersion: 'v1.31.0-bramble',
      architecture: 'arm64',
      operatingSystem: 'linux',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      kernelVersion: '6.6.31',
      machineID: 'm1',
      bootID: 'b1',
    });
    expect(r.addresses).toEqual([
      { type: 'InternalIP', address: '192.168.1.21' },
      { type: 'Hostname', address: 'pi-1' },
    ]);
  });

  it('leaves out what a plain PC does not have', () => {
    const r = buildNodeReport({ ...fp, board: undefined }, id, { ...healthy, temperatureC: undefined, throttled: undefined }, down, []);
    expect(r.annotations).toEqual({});
    expect(r.labels['bramble.io/board']).toBeUndefined();
    expect(r.nodeInfo.containerRuntimeVersion).toBe('');
  });
});

describe('sameReport', () => {
  it('ignores heartbeat times only', () => {
    const a = buildNodeReport(fp, id, healthy, up, [{ type: 'Ready', status: 'True', lastHeartbeatTime: 't1', lastTransitionTime: 't0' }]);
    const b = buildNodeReport(fp, id, healthy, up, [{ type: 'Ready', status: 'True', lastHeartbeatTime: 't2', lastTransitionTime: 't0' }]);
    const c = buildNodeReport(fp, id, healthy, up, [{ type: 'Ready', status: 'True', lastHeartbeatTime: 't2', lastTransitionTime: 't1' }]);
    expect(sameReport(a, b)).toBe(true);
    expect(sameReport(a, c)).toBe(false);
    expect(sameReport(undefined, a)).toBe(false);
  });
});

describe('Sampler', () => {
  function harness(samples: HostSample[], runtimes: RuntimeStatus[]) {
    let t = Date.parse('2024-05-01T10:00:00Z');
    let i = 0;
    const reports: NodeReport[] = [];
    const s = new Sampler({
      fingerprint: fp,
      identity: id,
      host: { sample: async () => ({ ...samples[Math.min(i, samples.length - 1)] }) },
      runtime: () => runtimes[Math.min(i, runtimes.length - 1)],
      intervalMs: 10_000,
      now: () => t,
    });
    s.onReport((r) => reports.push(r));
    const step = async () => {
      await s.sampleNow();
      i++;
      t += 10_000;
    };
    return { s, reports, step };
  }

  it('reports only when something besides heartbeat times changed', async () => {
    const h = harness([healthy, healthy, { ...healthy, diskAvailable: 1 * GiB }, { ...healthy, diskAvailable: 1 * GiB }], [up]);
    for (let n = 0; n < 4; n++) await h.step();
    expect(h.reports).toHaveLength(2);
    const disk = h.reports[1].conditions.find((c) => c.type === 'DiskPressure');
    expect(disk).toMatchObject({ status: 'True', lastTransitionTime: '2024-05-01T10:00:20Z', lastHeartbeatTime: '2024-05-01T10:00:20Z' });
    const ready = h.reports[1].conditions.find((c) => c.type === 'Ready');
    expect(ready?.lastTransitionTime).toBe('2024-05-01T10:00:00Z');
  });

  it('reports the runtime going down and up again', async () => {
    const h = harness([healthy], [up, down, down, up]);
    for (let n = 0; n < 4; n++) await h.step();
    expect(h.reports.map((r) => r.conditions.find((c) => c.type === 'Ready')?.status)).toEqual(['True', 'False', 'True']);
  });

  it('does not republish for small temperature wobble', async () => {
    const temps = [48.4, 47.6, 49.2, 50.6, 50.1];
    const h = harness(temps.map((temperatureC) => ({ ...healthy, temperatureC })), [up]);
    for (let n = 0; n < temps.length; n++) await h.step();
    expect(h.reports.map((r) => r.annotations?.['bramble.io/soc-temperature'])).toEqual(['48°C', '51°C']);
  });
});
