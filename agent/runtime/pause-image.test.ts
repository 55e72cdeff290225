import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PauseArch, pauseArch, pauseImageRef, pauseImageTar, pauseProgram, tarOneFile } from './pause-image.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bramble-pause-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARCHES: { arch: PauseArch; machine: string; readelf: string; qemu?: string }[] = [
  { arch: 'amd64', machine: 'x86_64', readelf: 'Advanced Micro Devices X86-64' },
  { arch: 'arm64', machine: 'aarch64', readelf: 'AArch64', qemu: 'qemu-aarch64-static' },
  { arch: 'arm', machine: 'armv7l', readelf: 'ARM', qemu: 'qemu-arm-static' },
];

function which(cmd: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(':')) if (existsSync(path.join(d, cmd))) return path.join(d, cmd);
  return undefined;
}

/**
 * sleepsThenDiesOfSigterm starts a program, checks after ms that it is still there and asleep
 * (state S in /proc, not spinning), then sends SIGTERM and reports how it ended.
 */
function sleepsThenDiesOfSigterm(cmd: string, args: string[], ms: number): Promise<{ state: string; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    let state = 'exited early';
    child.on('exit', (_code, signal) => resolve({ state, signal }));
    setTimeout(() => {
      if (child.exitCode === null) state = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1][0];
      child.kill('SIGTERM');
    }, ms);
  });
}

describe('pause program', () => {
  it.each(ARCHES)('$arch has a valid ELF header and one PT_LOAD segment', ({ arch, readelf }) => {
    const elf = pauseProgram(arch);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.length).toBeLessThan(200);
    const file = path.join(dir, `pause-${arch}`);
    writeFileSync(file, elf, { mode: 0o755 });
    expect(which('readelf'), 'readelf (binutils) is needed to check the ELF headers').toBeDefined();
    const out = execFileSync('readelf', ['-h', '-l', '-W', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('EXEC (Executable file)');
    expect(out).toContain(`Machine:                           ${readelf}`);
    expect(out.match(/^\s+LOAD\s/gm)).toHaveLength(1);
    expect(out).toMatch(/LOAD\s+0x0+ 0x0*400000/);
  });

  it('amd64 runs here, sleeps, and dies of SIGTERM when not PID 1', async () => {
    if (process.arch !== 'x64') return;
    const file = path.join(dir, 'run-amd64');
    writeFileSync(file, pauseProgram('amd64'), { mode: 0o755 });
    expect(await sleepsThenDiesOfSigterm(file, [], 300)).toEqual({ state: 'S', signal: 'SIGTERM' });
  });

  // qemu-user-static (Debian package) runs the ARM programs here; without it only the headers are checked.
  it.each(ARCHES.filter((a) => a.qemu))('$arch runs under $qemu, sleeps, and dies of SIGTERM', async ({ arch, qemu }) => {
    const emulator = which(qemu as string);
    if (!emulator) {
      console.warn(`${qemu} not installed (apt-get install qemu-user-static): ${arch} program not run`);
      return;
    }
    const file = path.join(dir, `run-${arch}`);
    writeFileSync(file, pauseProgram(arch), { mode: 0o755 });
    expect(await sleepsThenDiesOfSigterm(emulator, [file], 500)).toEqual({ state: 'S', signal: 'SIGTERM' });
  });
});

describe('pause image', () => {
  it('tars /pause with mode 0755 in a form tar reads', () => {
    const file = path.join(dir, 'pause.tar');
    writeFileSync(file, pauseImageTar('amd64'));
    const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rwxr-xr-x root\/root\s+129 .* pause$/m);
  });

  it('pads data to 512-byte blocks and ends with two zero blocks', () => {
    const tar = tarOneFile('x', Buffer.from('hello'), 0o644);
    expect(tar.length).toBe(512 + 512 + 1024);
    expect(tar.subarray(512, 517).toString()).toBe('hello');
  });

  it.each([
    ['x86_64', 'amd64'],
    ['aarch64', 'arm64'],
    ['armv7l', 'arm'],
    ['armv6l', 'arm'],
  ])('maps machine %s to %s', (machine, arch) => {
    expect(pauseArch(machine)).toBe(arch);
    expect(pauseImageRef(pauseArch(machine))).toBe(`bramble/pause:${arch}-1`);
  });

  it('refuses an unknown machine', () => {
    expect(() => pauseArch('riscv64')).toThrow(/no pause program for architecture riscv64/);
  });
});
