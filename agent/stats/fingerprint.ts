// fingerprint: the facts about this machine that do not change while the agent runs — arch, OS,
// board, CPU count, memory size, machine and boot ids. Parsing is pure; the files come through
// an injected reader so tests can pretend to be a Raspberry Pi.
import { arch as nodeArch, availableParallelism, hostname, release, totalmem } from 'node:os';

/** ReadText reads a file as text, or undefined when it does not exist or cannot be read. */
export type ReadText = (path: string) => Promise<string | undefined>;

export const PATHS = {
  model: '/proc/device-tree/model',
  osRelease: '/etc/os-release',
  machineId: '/etc/machine-id',
  bootId: '/proc/sys/kernel/random/boot_id',
} as const;

export const LABELS = {
  arch: 'kubernetes.io/arch',
  os: 'kubernetes.io/os',
  hostname: 'kubernetes.io/hostname',
  board: 'bramble.io/board',
} as const;

export const ANNOTATIONS = {
  boardModel: 'bramble.io/board-model',
  temperature: 'bramble.io/soc-temperature',
  throttled: 'bramble.io/throttled',
} as const;

export interface Fingerprint {
  /** arch: the Kubernetes/OCI name of Node's process.arch (amd64, arm64, arm). */
  arch: string;
  os: string;
  hostname: string;
  kernelVersion: string;
  osImage: string;
  cpus: number;
  memoryBytes: number;
  machineID?: string;
  bootID?: string;
  board?: BoardModel;
}

export interface BoardModel {
  /** model: as the firmware says it, e.g. "Raspberry Pi 4 Model B Rev 1.4". */
  model: string;
  /** label: a label-safe family without the revision, e.g. "raspberry-pi-4-model-b". */
  label: string;
}

// ARCH maps Node's names to Kubernetes'. A 32-bit Raspberry Pi OS on a 64-bit Pi reports 'arm',
// which is right: the userland — and so the images it can run — is 32-bit.
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function archLabel(a: string): string {
  return ARCH[a] ?? a;
}

/** labelValue makes s a valid label value: [A-Za-z0-9._-], at most 63, alphanumeric at both ends. */
export function labelValue(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}

/** parseBoardModel reads /proc/device-tree/model (NUL-terminated); undefined when absent or empty. */
export function parseBoardModel(raw: string | undefined): BoardModel | undefined {
  const model = raw?.replace(/\0/g, '').trim();
  if (!model) return undefined;
  // The label drops "Rev 1.4": a nodeSelector wants "every Pi 4", not one PCB revision.
  const family = model.replace(/\s+Rev\s+[\w.]+$/i, '');
  return { model, label: labelValue(family) };
}

/** parseOsRelease returns PRETTY_NAME from /etc/os-release (e.g. "Debian GNU/Linux 12 (bookworm)"). */
export function parseOsRelease(text: string | undefined): string | undefined {
  const m = text && /^PRETTY_NAME=(.*)$/m.exec(text);
  if (!m) return undefined;
  return m[1].trim().replace(/^(["'])(.*)\1$/, '$2');
}

export interface HostFacts {
  arch: string;
  platform: string;
  hostname: string;
  release: string;
  cpus: number;
  memoryBytes: number;
}

export function localHostFacts(): HostFacts {
  return { arch: nodeArch(), platform: process.platform, hostname: hostname().toLowerCase(), release: release(), cpus: availableParallelism(), memoryBytes: totalmem() };
}

/** readFingerprint gathers the static facts once at start. */
export async function readFingerprint(read: ReadText, host: HostFacts = localHostFacts()): Promise<Fingerprint> {
  const [model, osRelease, machineId, bootId] = await Promise.all([read(PATHS.model), read(PATHS.osRelease), read(PATHS.machineId), read(PATHS.bootId)]);
  return {
    arch: archLabel(host.arch),
    os: host.platform,
    hostname: host.hostname,
    kernelVersion: host.release,
    osImage: parseOsRelease(osRelease) ?? host.platform,
    cpus: host.cpus,
    memoryBytes: host.memoryBytes,
    machineID: machineId?.trim() || undefined,
    bootID: bootId?.trim() || undefined,
    board: parseBoardModel(model),
  };
}
