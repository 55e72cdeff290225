// pin: a mount and a UTS namespace per node, kept alive by bind mounts on files in the node's
// folder and prepared once for dockerd. `ip netns exec` cannot run dockerd: it remounts /sys,
// and the cgroup v1 hierarchies vanish ("Devices cgroup isn't mounted"). Entering pinned
// namespaces with nsenter also lets a restarted engine find its live-restored containers.
//
// Inside each pinned mount namespace: hostname = node name, a sysfs of the node's network
// namespace, the host's cgroup hierarchies mounted again, /etc/docker bound to the node's own
// folder (own key.json, so own engine ID) and /etc/resolv.conf bound to a resolver address
// inside the lab where nothing listens (so no name lookup ever leaves the lab).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LabNames, NodeNames } from './names.js';
import { sh } from './proc.js';

export const mntNs = (node: NodeNames) => join(node.dir, 'mnt.ns');
export const utsNs = (node: NodeNames) => join(node.dir, 'uts.ns');

// nsenterArgs enters all of a node's namespaces (network, pinned mount and UTS).
export function nsenterArgs(node: NodeNames, cwd?: string): string[] {
  return ['nsenter', `--mount=${mntNs(node)}`, `--uts=${utsNs(node)}`, `--net=/run/netns/${node.netns}`, ...(cwd ? [`--wd=${cwd}`] : []), '--'];
}

// privateLabDir makes the lab folder a private mount: namespace files can only be pinned on a
// mount that is not shared (hosts with systemd make / shared).
export async function privateLabDir(lab: LabNames): Promise<void> {
  mkdirSync(lab.dir, { recursive: true });
  await sh(`mount --bind '${lab.dir}' '${lab.dir}' && mount --make-private '${lab.dir}'`);
}

export async function pinNamespaces(lab: LabNames, node: NodeNames): Promise<void> {
  for (const d of ['etc-docker', 'data', 'exec']) mkdirSync(join(node.dir, d), { recursive: true });
  writeFileSync(join(node.dir, 'resolv.conf'), `nameserver ${lab.gatewayIp}\noptions timeout:1 attempts:1\n`);
  writeFileSync(mntNs(node), '');
  writeFileSync(utsNs(node), '');
  const inside = [
    `hostname ${node.name}`,
    'umount -l /sys',
    'mount -t sysfs sysfs /sys',
    ...cgroupMounts(),
    'mkdir -p /etc/docker',
    `mount --bind '${join(node.dir, 'etc-docker')}' /etc/docker`,
    `mount --bind '${join(node.dir, 'resolv.conf')}' /etc/resolv.conf`,
  ].join('\n');
  await sh(
    `unshare --mount='${mntNs(node)}' --uts='${utsNs(node)}' --propagation slave nsenter --net=/run/netns/${node.netns} sh -ec "$INSIDE"`,
    { env: { INSIDE: inside } },
  );
}

// cgroupMounts repeats the host's cgroup mounts (v1 hierarchies, a hybrid or a pure v2 tree).
function cgroupMounts(): string[] {
  const lines = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' '));
  const cgroups = lines.filter(([, target, type]) => (type === 'cgroup' || type === 'cgroup2') && target.startsWith('/sys/fs/cgroup'));
  const out: string[] = [];
  if (!cgroups.some(([, target]) => target === '/sys/fs/cgroup')) out.push('mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup');
  for (const [, target, type, options] of cgroups) {
    const opts = options.split(',').filter((o) => o !== 'ro');
    out.push(`mkdir -p ${target}`, `mount -t ${type} -o ${opts.join(',')} ${type} ${target}`);
  }
  return out;
}
