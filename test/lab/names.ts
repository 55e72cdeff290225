// names: every name, address and folder a lab uses, derived from one lab name. A lab name is
// `blab-<pid>-<n>[-<label>]`: the prefix lets cleanupStaleLabs find leftovers, the owner's pid
// tells whether the lab is still in use, and the counter keeps labs of one process apart.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PREFIX = 'blab-';
export const BASE_DIR = join(tmpdir(), 'bramble-labs');
export const CLUSTER_CIDR = '10.244.0.0/16';
const LAB_NET = '10.201.0'; // every lab is isolated, so all labs may use the same addresses

let counter = 0;

export function newLabName(label?: string): string {
  let clean = (label ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 12);
  if (/^(\d|n\d+$|br$)/.test(clean)) clean = `l${clean}`; // never mistaken for a node or bridge suffix
  return `${PREFIX}${process.pid}-${++counter}${clean ? `-${clean}` : ''}`;
}

// LabNames is the plan of one lab; it is written to <dir>/state.json so a later run can tear
// down what a crashed run left behind.
export interface LabNames {
  name: string;
  dir: string;
  ownerPid: number;
  ownerStart: string; // the owner's start time (field 22 of /proc/<pid>/stat), against pid reuse
  bridgeNetns: string;
  subnet: string;
  gatewayIp: string;
  nodes: NodeNames[];
}

export interface NodeNames {
  index: number; // 1-based
  name: string; // hostname, e.g. n1
  netns: string;
  veth: string; // the bridge-side end, inside the bridge namespace
  ip: string;
  podCidr: string;
  podGateway: string; // the node's docker0 address
  dir: string;
  cgroupParent: string;
  dockerSocket: string;
}

export function planLab(name: string, nodes: number): LabNames {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 200) throw new Error(`a lab has 1–200 nodes, not ${nodes}`);
  const dir = join(BASE_DIR, name);
  return {
    name,
    dir,
    ownerPid: process.pid,
    ownerStart: processStart(process.pid) ?? '',
    bridgeNetns: `${name}-br`,
    subnet: `${LAB_NET}.0/24`,
    gatewayIp: `${LAB_NET}.1`,
    nodes: Array.from({ length: nodes }, (_, k) => planNode(name, dir, k + 1)),
  };
}

function planNode(lab: string, labDir: string, index: number): NodeNames {
  const dir = join(labDir, `n${index}`);
  return {
    index,
    name: `n${index}`,
    netns: `${lab}-n${index}`,
    veth: `veth-n${index}`,
    ip: `${LAB_NET}.${10 + index}`,
    podCidr: `10.244.${index}.0/24`,
    podGateway: `10.244.${index}.1`,
    dir,
    cgroupParent: `/${lab}-n${index}`,
    dockerSocket: join(dir, 'docker.sock'),
  };
}

// processStart is a process's start time, or undefined once it has exited.
export function processStart(pid: number): string | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return fields[0] === 'Z' ? undefined : fields[19]; // a zombie counts as gone
  } catch {
    return undefined;
  }
}

// ownerAlive is false once the process that made the lab has exited (or its pid was reused).
export function ownerAlive(pid: number, start?: string): boolean {
  const now = processStart(pid);
  return now !== undefined && (!start || now === start);
}

// labOf maps a folder, namespace or cgroup name to its lab and node index (0 for the bridge).
export function labOf(entry: string): { lab: string; node: number } | undefined {
  const m = /^(blab-\d+-\d+(?:-[a-z][a-z0-9]*)??)(?:-n(\d+)|-br)?$/.exec(entry);
  return m ? { lab: m[1], node: Number(m[2] ?? 0) } : undefined;
}

// ownerOf reads the owner's pid from a lab-derived name (namespace, cgroup or folder).
export function ownerOf(name: string): number | undefined {
  const m = /^blab-(\d+)-\d+/.exec(name);
  return m ? Number(m[1]) : undefined;
}
