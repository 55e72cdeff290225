// image: a tiny image without the internet. The host's static busybox becomes the rootfs (with
// a symlink per applet and /www/index.html for httpd), imported once as local/busybox:1 (also
// tagged :2 for rollouts) and copied to other engines with save/load, so the image ID is the
// same on every node.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { busyboxPath } from './prereqs.js';
import { run } from './proc.js';

export const BUSYBOX_IMAGE = 'local/busybox:1';
export const BUSYBOX_IMAGE_2 = 'local/busybox:2';
export const INDEX_HTML = 'hello from bramble\n';

export const docker = (socket: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}) =>
  run(['docker', '-H', `unix://${socket}`, ...args], opts);

// buildBusyboxImage imports the image into the engine behind socket and returns its ID.
export async function buildBusyboxImage(socket: string): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'bramble-image-'));
  try {
    const root = join(work, 'rootfs');
    for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'www', 'root']) mkdirSync(join(root, d), { recursive: true });
    const busybox = await busyboxPath();
    copyFileSync(busybox, join(root, 'bin', 'busybox'));
    const applets = (await run([busybox, '--list'])).split('\n').filter((a) => a && a !== 'busybox');
    for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
    writeFileSync(join(root, 'www', 'index.html'), INDEX_HTML);
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    await addGetent(root);
    const tar = join(work, 'rootfs.tar');
    await run(['tar', '-C', root, '--owner=0', '--group=0', '-cf', tar, '.']);
    await docker(socket, ['import', '-c', 'CMD ["/bin/sh"]', '-c', 'ENV PATH=/bin:/usr/bin', tar, BUSYBOX_IMAGE]);
    await docker(socket, ['tag', BUSYBOX_IMAGE, BUSYBOX_IMAGE_2]);
    return imageId(socket, BUSYBOX_IMAGE);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// addGetent copies glibc's getent with the libraries ldd names: busybox has no getent, and
// `getent hosts NAME` (libc's resolver honouring resolv.conf search and ndots) is what users
// check cluster DNS with.
async function addGetent(root: string): Promise<void> {
  const getent = '/usr/bin/getent';
  const libs = [...(await run(['ldd', getent])).matchAll(/(\/\S+\.so[.\d]*)/g)].map((m) => m[1]);
  for (const f of [getent, ...libs]) {
    mkdirSync(join(root, dirname(f)), { recursive: true });
    copyFileSync(f, join(root, f));
  }
  writeFileSync(join(root, 'etc', 'nsswitch.conf'), 'hosts: files dns\n');
}

// copyImages saves the references from one engine once and loads them into the others.
export async function copyImages(from: string, to: string[], refs: string[]): Promise<void> {
  if (to.length === 0) return;
  const work = mkdtempSync(join(tmpdir(), 'bramble-image-'));
  try {
    const tar = join(work, 'images.tar');
    await docker(from, ['save', '-o', tar, ...refs]);
    await Promise.all(to.map((s) => docker(s, ['load', '-q', '-i', tar])));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function imageId(socket: string, ref: string): Promise<string> {
  return (await docker(socket, ['image', 'inspect', '-f', '{{.Id}}', ref])).trim();
}
