// cleanup: one teardown for every path — a normal stop, the process exiting with labs still up
// (exit and signal handlers, which must be synchronous) and leftovers of crashed runs. The
// teardown is a shell script read from stdin, so no lab path appears in its own command line
// and the final sweep (kill whatever still mentions the lab folder) cannot hit itself.
//
// Order: remove containers → SIGTERM each dockerd (5 s, then SIGKILL) → SIGKILL whatever is left
// in the node namespaces and the lab's cgroups (shims, containers, exec'd commands) → unmount
// the pinned namespace files → `ip netns del` → remove the empty cgroup folders → remove the
// shim sockets of killed shims → unmount and delete the lab folder.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_DIR, type LabNames, labOf, ownerAlive, ownerOf, PREFIX, planLab } from './names.js';

export function teardownScript(lab: LabNames): string {
  if (!/^blab-\d+-\d+/.test(lab.name) || lab.dir !== join(BASE_DIR, lab.name)) throw new Error(`refusing to tear down ${lab.dir}`);
  const q = (s: string) => `'${s}'`;
  const nodeNs = lab.nodes.map((n) => q(n.netns)).join(' ');
  const cgroups = lab.nodes.map((n) => q(n.cgroupParent.slice(1))).join(' ');
  const sockets = lab.nodes.map((n) => q(n.dockerSocket)).join(' ');
  return `
set +e
LABDIR=${q(lab.dir)}
dockerds() { for ns in ${nodeNs}; do for p in $(ip netns pids "$ns" 2>/dev/null); do [ "$(cat /proc/$p/comm 2>/dev/null)" = dockerd ] && echo $p; done; done; }
for s in ${sockets}; do
  [ -S "$s" ] && { ids=$(timeout 5 docker -H "unix://$s" ps -aq 2>/dev/null); [ -n "$ids" ] && timeout 10 docker -H "unix://$s" rm -f $ids >/dev/null 2>&1; } &
done
wait
for p in $(dockerds); do kill -TERM $p; done
i=0; while [ $i -lt 50 ] && [ -n "$(dockerds)" ]; do sleep 0.1; i=$((i+1)); done
for round in 1 2 3 4 5 6 7 8 9 10; do
  pids=$(for ns in ${nodeNs} ${q(lab.bridgeNetns)}; do ip netns pids "$ns" 2>/dev/null; done
         for cg in ${cgroups}; do cat /sys/fs/cgroup/"$cg"/cgroup.procs /sys/fs/cgroup/*/"$cg"/cgroup.procs /sys/fs/cgroup/*/"$cg"/*/cgroup.procs /sys/fs/cgroup/"$cg"/*/cgroup.procs 2>/dev/null; done
         for d in /proc/[0-9]*; do case "$(tr '\\0' ' ' <$d/cmdline 2>/dev/null)" in *"$LABDIR/"*) echo \${d#/proc/};; esac; done)
  pids=$(echo $pids | tr ' ' '\\n' | grep -vx "$$" | sort -u)
  [ -z "$pids" ] && break
  kill -KILL $pids 2>/dev/null
  sleep 0.05
done
for f in "$LABDIR"/n*/mnt.ns "$LABDIR"/n*/uts.ns; do umount -l "$f" 2>/dev/null; done
for ns in ${nodeNs} ${q(lab.bridgeNetns)}; do ip netns del "$ns" 2>/dev/null; done
for round in 1 2 3 4 5 6 7 8 9 10; do
  left=0
  for cg in ${cgroups}; do for d in /sys/fs/cgroup/"$cg" /sys/fs/cgroup/*/"$cg"; do
    [ -d "$d" ] && { find "$d" -depth -type d -exec rmdir {} \\; 2>/dev/null; [ -d "$d" ] && left=1; }
  done; done
  [ $left = 0 ] && break
  sleep 0.1
done
for t in "$LABDIR"/n*/exec/containerd/daemon/io.containerd.runtime.v2.task/moby/*; do
  [ -d "$t" ] || continue
  h=$(printf '%s' "\${t%%/exec/*}/exec/containerd/containerd.sock/moby/\${t##*/}" | sha256sum | cut -d' ' -f1)
  rm -f "/run/containerd/s/$h"
done
while mountpoint -q "$LABDIR" 2>/dev/null; do umount -l "$LABDIR" || break; done
rm -rf "$LABDIR"
exit 0
`;
}

export function teardown(lab: LabNames): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-s'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`teardown of ${lab.name} failed: ${err}`))));
    child.stdin.end(teardownScript(lab));
  });
}

export function teardownSync(lab: LabNames): void {
  spawnSync('sh', ['-s'], { input: teardownScript(lab), stdio: ['pipe', 'ignore', 'ignore'], timeout: 60_000 });
}

// Active labs are torn down synchronously if the process exits or is interrupted before stop().
// A reaper per lab covers what no handler sees (SIGKILL, a crash of Node itself): a detached
// shell that blocks reading a pipe from this process and runs the teardown once the pipe closes.
const active = new Map<string, { lab: LabNames; reaper: ChildProcess }>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onExit(): void {
  for (const { lab, reaper } of active.values()) {
    reaper.kill('SIGKILL');
    teardownSync(lab);
  }
  active.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  onExit();
  process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[signal]);
}

function startReaper(lab: LabNames): ChildProcess {
  const reaper = spawn('sh', ['-c', 'cat >/dev/null; printf "%s" "$BRAMBLE_LAB_TEARDOWN" | sh -s'], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, BRAMBLE_LAB_TEARDOWN: teardownScript(lab) },
  });
  reaper.unref();
  (reaper.stdin as unknown as { unref(): void }).unref();
  reaper.stdin!.on('error', () => {});
  return reaper;
}

// registerLab arms the exit handlers and the reaper for a lab about to be built.
export function registerLab(lab: LabNames): void {
  if (active.size === 0) {
    process.on('exit', onExit);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  active.set(lab.name, { lab, reaper: startReaper(lab) });
}

// releaseLab tears a registered lab down now and disarms its handlers and reaper.
export async function releaseLab(lab: LabNames): Promise<void> {
  active.get(lab.name)?.reaper.kill('SIGKILL');
  await teardown(lab);
  active.delete(lab.name);
  if (active.size === 0) {
    process.off('exit', onExit);
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}

// cleanupStaleLabs tears down every lab whose owning process is gone, found by its folder, its
// namespaces or its cgroups. Labs of live processes (parallel test files) are left alone.
export async function cleanupStaleLabs(): Promise<string[]> {
  const found = new Map<string, number>(); // lab name → highest node index seen
  const see = (entry: string) => {
    const m = labOf(entry);
    if (m) found.set(m.lab, Math.max(found.get(m.lab) ?? 1, m.node));
  };
  if (existsSync(BASE_DIR)) for (const d of readdirSync(BASE_DIR)) if (d.startsWith(PREFIX)) see(d);
  if (existsSync('/run/netns')) for (const ns of readdirSync('/run/netns')) see(ns);
  for (const root of ['/sys/fs/cgroup', ...subdirs('/sys/fs/cgroup').map((d) => join('/sys/fs/cgroup', d))])
    for (const d of subdirs(root)) if (d.startsWith(PREFIX)) see(d);
  const stale: string[] = [];
  for (const [name, seen] of found) {
    const state = readState(name);
    if (ownerAlive(ownerOf(name)!, state?.ownerStart)) continue;
    const nodes = Math.max(seen, state?.nodes.length ?? 1, nodeDirs(name));
    await teardown({ ...planLab(name, nodes), ownerPid: ownerOf(name)! });
    stale.push(name);
  }
  return stale;
}

function readState(name: string): LabNames | undefined {
  try {
    return JSON.parse(readFileSync(join(BASE_DIR, name, 'state.json'), 'utf8')) as LabNames;
  } catch {
    return undefined;
  }
}

function nodeDirs(name: string): number {
  const idx = subdirs(join(BASE_DIR, name)).map((d) => /^n(\d+)$/.exec(d)?.[1]).filter(Boolean).map(Number);
  return Math.max(1, ...idx);
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
