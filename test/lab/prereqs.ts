// prereqs: the lab needs root and a few Debian packages; missing packages are installed once.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { exec, run } from './proc.js';

const TOOLS = ['dockerd', 'docker', 'containerd', 'runc', 'busybox', 'ip', 'iptables', 'nsenter', 'unshare', 'tar', 'tc'];
const PACKAGES = ['docker.io', 'busybox-static', 'iptables', 'iproute2'];

let checked: Promise<void> | undefined;

export function ensurePrerequisites(): Promise<void> {
  checked ??= check();
  return checked;
}

async function check(): Promise<void> {
  // ip, iptables and dockerd live in sbin folders, which a non-login PATH may lack.
  const path = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!path.includes(d)) path.push(d);
  process.env.PATH = path.join(delimiter);
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (network namespaces, mounts, dockerd)');
  const missing = TOOLS.filter((t) => !which(t));
  if (missing.length === 0 && (await busyboxIsStatic())) return;
  await run(['sh', '-ec', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${PACKAGES.join(' ')}`], {
    timeoutMs: 600_000,
  });
  const still = TOOLS.filter((t) => !which(t));
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(', ')}`);
  if (!(await busyboxIsStatic())) throw new Error(`${which('busybox')} is not static (install busybox-static)`);
}

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return join(dir, cmd);
    } catch {}
  }
  return undefined;
}

// busyboxPath is the busybox to copy into images: it must be static, as the image has no libc.
export async function busyboxPath(): Promise<string> {
  const p = which('busybox');
  if (!p) throw new Error('busybox is not installed (apt-get install busybox-static)');
  return p;
}

async function busyboxIsStatic(): Promise<boolean> {
  const p = which('busybox');
  if (!p) return false;
  if (!which('ldd')) return true; // cannot tell; an image that does not start will say so
  const r = await exec(['ldd', p]); // "not a dynamic executable", exit 1, for a static binary
  return r.code !== 0 || /statically linked/.test(r.stdout);
}
