// pause-image: the pod's infra container holds the network namespace and does nothing else. Its
// image is made on the node, so a pod never waits for (or fails on) a pull of it: a static ELF
// program of a few instructions that sleeps forever, written here as raw bytes for the engine's
// architecture, put in a one-file tar and imported as bramble/pause:<arch>-1.
//
// The program installs no signal handler, and PID 1 ignores signals without one, so the infra
// container runs with init: true (Docker's --init): the init forwards SIGTERM and the program,
// no longer PID 1, dies of it at once.
import type Dockerode from 'dockerode';

export type PauseArch = 'amd64' | 'arm64' | 'arm';

/** PAUSE_VERSION: bump when the program changes, so nodes import the new one. */
export const PAUSE_VERSION = 1;

export function pauseImageRef(arch: PauseArch): string {
  return `bramble/pause:${arch}-${PAUSE_VERSION}`;
}

/** pauseArch maps the kernel's machine name (Docker's Info.Architecture) to a program. */
export function pauseArch(machine: string): PauseArch {
  if (machine === 'x86_64' || machine === 'amd64') return 'amd64';
  if (machine === 'aarch64' || machine === 'arm64') return 'arm64';
  if (/^arm/.test(machine)) return 'arm';
  throw new Error(`no pause program for architecture ${machine}`);
}

const words = (...w: number[]) => {
  const b = Buffer.alloc(w.length * 4);
  for (const [i, x] of w.entries()) b.writeUInt32LE(x >>> 0, i * 4);
  return b;
};

/** CODE: the loop per architecture. Each re-enters the syscall after a signal interrupts it. */
const CODE: Record<PauseArch, Buffer> = {
  // loop: mov eax, 34 (pause); syscall; jmp loop
  amd64: Buffer.from([0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7]),
  // loop: mov x0..x3, #0; mov x8, #73 (ppoll: arm64 has no pause); svc #0; b loop
  arm64: words(0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa),
  // loop: mov r7, #29 (pause, EABI); svc #0; b loop
  arm: words(0xe3a0701d, 0xef000000, 0xeafffffc),
};

const MACHINE: Record<PauseArch, number> = { amd64: 62, arm64: 183, arm: 40 };
const BASE = 0x400000;

/** pauseProgram returns a static ELF executable: header, one PT_LOAD segment (the whole file), code. */
export function pauseProgram(arch: PauseArch): Buffer {
  return arch === 'arm' ? elf32(CODE.arm, MACHINE.arm) : elf64(CODE[arch], MACHINE[arch]);
}

function ident(elfClass: 1 | 2): Buffer {
  const b = Buffer.alloc(16);
  b.set([0x7f, 0x45, 0x4c, 0x46, elfClass, 1 /* little-endian */, 1 /* version */, 0 /* SYSV ABI */]);
  return b;
}

function elf64(code: Buffer, machine: number): Buffer {
  const ehsize = 64;
  const phsize = 56;
  const size = ehsize + phsize + code.length;
  const b = Buffer.alloc(size);
  ident(2).copy(b, 0);
  b.writeUInt16LE(2, 16); // e_type: EXEC
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20); // e_version
  b.writeBigUInt64LE(BigInt(BASE + ehsize + phsize), 24); // e_entry
  b.writeBigUInt64LE(BigInt(ehsize), 32); // e_phoff
  b.writeBigUInt64LE(0n, 40); // e_shoff
  b.writeUInt32LE(0, 48); // e_flags
  b.writeUInt16LE(ehsize, 52);
  b.writeUInt16LE(phsize, 54);
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt16LE(64, 58); // e_shentsize
  b.writeUInt16LE(0, 60); // e_shnum
  b.writeUInt16LE(0, 62); // e_shstrndx
  const ph = ehsize;
  b.writeUInt32LE(1, ph); // p_type: LOAD
  b.writeUInt32LE(5, ph + 4); // p_flags: R+X
  b.writeBigUInt64LE(0n, ph + 8); // p_offset
  b.writeBigUInt64LE(BigInt(BASE), ph + 16); // p_vaddr
  b.writeBigUInt64LE(BigInt(BASE), ph + 24); // p_paddr
  b.writeBigUInt64LE(BigInt(size), ph + 32); // p_filesz
  b.writeBigUInt64LE(BigInt(size), ph + 40); // p_memsz
  b.writeBigUInt64LE(0x1000n, ph + 48); // p_align
  code.copy(b, ehsize + phsize);
  return b;
}

function elf32(code: Buffer, machine: number): Buffer {
  const ehsize = 52;
  const phsize = 32;
  const size = ehsize + phsize + code.length;
  const b = Buffer.alloc(size);
  ident(1).copy(b, 0);
  b.writeUInt16LE(2, 16); // e_type: EXEC
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20); // e_version
  b.writeUInt32LE(BASE + ehsize + phsize, 24); // e_entry
  b.writeUInt32LE(ehsize, 28); // e_phoff
  b.writeUInt32LE(0, 32); // e_shoff
  b.writeUInt32LE(0x05000000, 36); // e_flags: ARM EABI version 5
  b.writeUInt16LE(ehsize, 40);
  b.writeUInt16LE(phsize, 42);
  b.writeUInt16LE(1, 44); // e_phnum
  b.writeUInt16LE(40, 46); // e_shentsize
  b.writeUInt16LE(0, 48); // e_shnum
  b.writeUInt16LE(0, 50); // e_shstrndx
  const ph = ehsize;
  b.writeUInt32LE(1, ph); // p_type: LOAD
  b.writeUInt32LE(0, ph + 4); // p_offset
  b.writeUInt32LE(BASE, ph + 8); // p_vaddr
  b.writeUInt32LE(BASE, ph + 12); // p_paddr
  b.writeUInt32LE(size, ph + 16); // p_filesz
  b.writeUInt32LE(size, ph + 20); // p_memsz
  b.writeUInt32LE(5, ph + 24); // p_flags: R+X
  b.writeUInt32LE(0x1000, ph + 28); // p_align
  code.copy(b, ehsize + phsize);
  return b;
}

/** tarOneFile returns a ustar archive holding one regular file owned by root. */
export function tarOneFile(name: string, data: Buffer, mode: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'ascii');
  const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, '0')}\0`;
  field(name, 0, 100);
  field(octal(mode, 8), 100, 8);
  field(octal(0, 8), 108, 8); // uid
  field(octal(0, 8), 116, 8); // gid
  field(octal(data.length, 12), 124, 12);
  field(octal(0, 12), 136, 12); // mtime
  field('        ', 148, 8); // checksum is computed with this field as spaces
  field('0', 156, 1); // regular file
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  field('root', 265, 32);
  field('root', 297, 32);
  const sum = header.reduce((a, x) => a + x, 0);
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

/** pauseImageTar: the image's whole filesystem, /pause. */
export function pauseImageTar(arch: PauseArch): Buffer {
  return tarOneFile('pause', pauseProgram(arch), 0o755);
}

/** ensurePauseImage imports the pause image into an engine unless it is there; returns its ref. */
export async function ensurePauseImage(docker: Dockerode, machine: string): Promise<string> {
  const arch = pauseArch(machine);
  const ref = pauseImageRef(arch);
  try {
    await docker.getImage(ref).inspect();
    return ref;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const { Readable } = await import('node:stream');
  const [repo, tag] = ref.split(':');
  const stream = await docker.importImage(Readable.from([pauseImageTar(arch)]), {
    repo,
    tag,
    changes: ['CMD ["/pause"]', 'LABEL io.bramble.pause=1'],
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (p: { error?: string }) => {
        if (p.error) reject(new Error(`import ${ref}: ${p.error}`));
      },
    );
  });
  return ref;
}
