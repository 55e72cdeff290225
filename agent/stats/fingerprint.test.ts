import { describe, expect, it } from 'vitest';
import { archLabel, type HostFacts, labelValue, PATHS, parseBoardModel, parseOsRelease, readFingerprint } from './fingerprint.js';

describe('archLabel', () => {
  it.each([
    ['x64', 'amd64'],
    ['arm64', 'arm64'],
    ['arm', 'arm'],
    ['ia32', '386'],
    ['riscv64', 'riscv64'],
    ['mips', 'mips'],
  ])('%s → %s', (node, kube) => {
    expect(archLabel(node)).toBe(kube);
  });
});

describe('parseBoardModel', () => {
  it.each([
    ['Raspberry Pi 4 Model B Rev 1.4\0', 'Raspberry Pi 4 Model B Rev 1.4', 'raspberry-pi-4-model-b'],
    ['Raspberry Pi 5 Model B Rev 1.0\0', 'Raspberry Pi 5 Model B Rev 1.0', 'raspberry-pi-5-model-b'],
    ['Raspberry Pi Zero 2 W Rev 1.0\0', 'Raspberry Pi Zero 2 W Rev 1.0', 'raspberry-pi-zero-2-w'],
    ['Raspberry Pi Compute Module 4 Rev 1.1\0', 'Raspberry Pi Compute Module 4 Rev 1.1', 'raspberry-pi-compute-module-4'],
    ['Hardkernel ODROID-N2Plus\n', 'Hardkernel ODROID-N2Plus', 'hardkernel-odroid-n2plus'],
  ])('%j', (raw, model, label) => {
    expect(parseBoardModel(raw)).toEqual({ model, label });
  });

  it.each([[undefined], [''], ['\0'], ['  \n']])('no board for %j', (raw) => {
    expect(parseBoardModel(raw)).toBeUndefined();
  });
});

describe('labelValue', () => {
  it.each([
    ['Raspberry Pi 4 (beta) / x', 'raspberry-pi-4-beta-x'],
    ['--odd__name--', 'odd__name'],
    ['a'.repeat(70), 'a'.repeat(63)],
    [`${'a'.repeat(62)}.b`, `${'a'.repeat(62)}`],
  ])('%j → %j', (input, want) => {
    const v = labelValue(input);
    expect(v).toBe(want);
    expect(v).toMatch(/^([a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?)?$/);
  });
});

describe('parseOsRelease', () => {
  it('reads PRETTY_NAME, quoted or not', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(parseOsRelease('PRETTY_NAME=Alpine\n')).toBe('Alpine');
    expect(parseOsRelease('ID=x\n')).toBeUndefined();
    expect(parseOsRelease(undefined)).toBeUndefined();
  });
});

describe('readFingerprint', () => {
  const host: HostFacts = { arch: 'arm64', platform: 'linux', hostname: 'pi-1', release: '6.6.31+rpt-rpi-v8', cpus: 4, memoryBytes: 4_000_000_000 };

  it('looks like a Raspberry Pi when the device tree says so', async () => {
    const files: Record<string, string> = {
      [PATHS.model]: 'Raspberry Pi 4 Model B Rev 1.4\0',
      [PATHS.osRelease]: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
      [PATHS.machineId]: 'abc123\n',
      [PATHS.bootId]: 'boot-1\n',
    };
    const fp = await readFingerprint(async (p) => files[p], host);
    expect(fp).toEqual({
      arch: 'arm64',
      os: 'linux',
      hostname: 'pi-1',
      kernelVersion: '6.6.31+rpt-rpi-v8',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      cpus: 4,
      memoryBytes: 4_000_000_000,
      machineID: 'abc123',
      bootID: 'boot-1',
      board: { model: 'Raspberry Pi 4 Model B Rev 1.4', label: 'raspberry-pi-4-model-b' },
    });
  });

  it('works on a machine without any of the files', async () => {
    const fp = await readFingerprint(async () => undefined, { ...host, arch: 'x64' });
    expect(fp.arch).toBe('amd64');
    expect(fp.board).toBeUndefined();
    expect(fp.osImage).toBe('linux');
    expect(fp.machineID).toBeUndefined();
  });
});
