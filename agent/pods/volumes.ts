// volumes: a pod's volumes on the node's disk and the bind mounts that put them in containers.
// Everything lives under DATA_DIR/pods/<uid>/volumes/<name> and goes with the pod:
//   emptyDir               an empty directory (mode 0777 so any user in the pod may write)
//   hostPath               the node's path, created first for DirectoryOrCreate / FileOrCreate
//   configMap, secret,     files projected from the desired state (items key → path, mode or
//   downwardAPI, projected defaultMode; secret data is base64), rewritten when their data changes
// projectFiles is pure; PodVolumes does the file system work.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';
import type { Container, Pod } from '../../shared/api/core.js';
import type { Mount } from '../runtime/runtime.js';
import { fieldRef } from './env.js';
import { findSource, type ObjectLookup, type Result, type SourceKind, notFound, sourceBytes } from './sources.js';

export interface ProjectedFile {
  path: string;
  data: Buffer;
  mode: number;
}

export interface ProjectionContext {
  pod: Pod;
  lookup: ObjectLookup;
  nodeName: string;
  hostIP: string;
  podIP?: string;
}

const DEFAULT_MODE = 0o644;

/** podDir is where a pod's volumes and files live. */
export function podDir(dataDir: string, uid: string): string {
  return join(dataDir, 'pods', uid);
}

/** projectFiles lists the files a configMap, secret, downwardAPI or projected volume holds. */
export function projectFiles(volume: any, ctx: ProjectionContext): Result<ProjectedFile[]> | undefined {
  if (volume.configMap) return keyFiles('configmap', volume.configMap, volume.configMap.defaultMode, ctx);
  if (volume.secret) return keyFiles('secret', { ...volume.secret, name: volume.secret.secretName }, volume.secret.defaultMode, ctx);
  if (volume.downwardAPI) return downwardFiles(volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode, ctx);
  if (volume.projected) {
    const files: ProjectedFile[] = [];
    const mode = volume.projected.defaultMode;
    for (const s of volume.projected.sources ?? []) {
      let part: Result<ProjectedFile[]> | undefined;
      if (s.configMap) part = keyFiles('configmap', s.configMap, mode, ctx);
      else if (s.secret) part = keyFiles('secret', s.secret, mode, ctx);
      else if (s.downwardAPI) part = downwardFiles(s.downwardAPI.items ?? [], mode, ctx);
      if (part && !part.ok) return part;
      if (part) files.push(...part.value);
    }
    return { ok: true, value: files };
  }
  return undefined;
}

// keyFiles projects the keys of a ConfigMap or Secret, all of them or just `items`.
function keyFiles(kind: SourceKind, src: any, defaultMode: number | undefined, ctx: ProjectionContext): Result<ProjectedFile[]> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const obj = findSource(ctx.lookup, kind, ns, src.name);
  if (!obj) return src.optional ? { ok: true, value: [] } : { ok: false, message: notFound(kind, src.name) };
  const data = sourceBytes(kind, obj);
  const mode = defaultMode ?? DEFAULT_MODE;
  if (!src.items?.length) return { ok: true, value: [...data].map(([k, v]) => ({ path: k, data: v, mode })) };
  const files: ProjectedFile[] = [];
  for (const item of src.items) {
    const v = data.get(item.key);
    if (v === undefined) {
      if (src.optional) continue;
      return { ok: false, message: `couldn't find key ${item.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${ns}/${src.name}` };
    }
    files.push({ path: item.path, data: v, mode: item.mode ?? mode });
  }
  return { ok: true, value: files };
}

function downwardFiles(items: any[], defaultMode: number | undefined, ctx: ProjectionContext): Result<ProjectedFile[]> {
  const files: ProjectedFile[] = [];
  for (const item of items) {
    const path = String(item.fieldRef?.fieldPath ?? '');
    let value: string;
    if (path === 'metadata.labels' || path === 'metadata.annotations') {
      const map = (path === 'metadata.labels' ? ctx.pod.metadata.labels : ctx.pod.metadata.annotations) ?? {};
      value = Object.keys(map)
        .sort()
        .map((k) => `${k}=${JSON.stringify(map[k])}`)
        .join('\n');
    } else if (item.fieldRef) {
      const r = fieldRef(ctx, path);
      if (!r.ok) return r;
      value = r.value;
    } else {
      return { ok: false, message: `downwardAPI item ${item.path}: only fieldRef is supported` };
    }
    files.push({ path: item.path, data: Buffer.from(value), mode: item.mode ?? defaultMode ?? DEFAULT_MODE });
  }
  return { ok: true, value: files };
}

/** safeJoin joins a relative path under a directory, refusing anything that climbs out of it. */
export function safeJoin(dir: string, rel: string): string | undefined {
  if (!rel || rel.startsWith('/')) return undefined;
  const full = normalize(join(dir, rel));
  const back = relative(dir, full);
  return back.startsWith('..') || back === '' ? undefined : full;
}

interface VolumeHost {
  path: string;
  readOnly: boolean;
  /** dir: a directory Bramble owns, where a missing subPath may be created. */
  ownDir: boolean;
}

/** PodVolumes sets up one pod's volumes and answers its containers' mounts. */
export class PodVolumes {
  private readonly hosts = new Map<string, VolumeHost>();
  private readonly written = new Map<string, { digest: string; paths: string[] }>();

  constructor(readonly dir: string) {}

  /** setup creates every volume (again, when its source data changed); a failure names the volume. */
  async setup(ctx: ProjectionContext): Promise<Result<void>> {
    for (const v of (ctx.pod.spec.volumes ?? []) as any[]) {
      const r = await this.setupOne(v, ctx).catch((err: unknown) => ({ ok: false as const, message: err instanceof Error ? err.message : String(err) }));
      if (!r.ok) return { ok: false, message: `MountVolume.SetUp failed for volume "${v.name}" : ${r.message}` };
    }
    return { ok: true, value: undefined };
  }

  private async setupOne(v: any, ctx: ProjectionContext): Promise<Result<void>> {
    const own = join(this.dir, 'volumes', v.name);
    if (v.emptyDir) {
      if (!this.hosts.has(v.name)) {
        await mkdir(own, { recursive: true });
        await chmod(own, 0o777);
      }
      this.hosts.set(v.name, { path: own, readOnly: false, ownDir: true });
      return { ok: true, value: undefined };
    }
    if (v.hostPath) return this.setupHostPath(v.name, v.hostPath);
    const files = projectFiles(v, ctx);
    if (!files) return { ok: false, message: `volume type ${Object.keys(v).filter((k) => k !== 'name')[0] ?? '?'} is not supported by Bramble` };
    if (!files.ok) return files;
    await this.writeFiles(v.name, own, files.value);
    this.hosts.set(v.name, { path: own, readOnly: true, ownDir: false });
    return { ok: true, value: undefined };
  }

  private async setupHostPath(name: string, src: { path: string; type?: string }): Promise<Result<void>> {
    const type = src.type ?? '';
    const there = await stat(src.path).catch(() => undefined);
    if (!there) {
      if (type === 'DirectoryOrCreate') await mkdir(src.path, { recursive: true, mode: 0o755 });
      else if (type === 'FileOrCreate') {
        await mkdir(dirname(src.path), { recursive: true });
        await writeFile(src.path, '', { mode: 0o644 });
      } else if (type !== '') return { ok: false, message: `hostPath type check failed: ${src.path} does not exist` };
    } else if ((type === 'Directory' || type === 'DirectoryOrCreate') && !there.isDirectory()) {
      return { ok: false, message: `hostPath type check failed: ${src.path} is not a directory` };
    } else if ((type === 'File' || type === 'FileOrCreate') && !there.isFile()) {
      return { ok: false, message: `hostPath type check failed: ${src.path} is not a file` };
    }
    this.hosts.set(name, { path: src.path, readOnly: false, ownDir: false });
    return { ok: true, value: undefined };
  }

  // writeFiles writes a projection when it changed: each file through a temporary name and a
  // rename, so a container never reads half a file; files no longer projected are removed.
  private async writeFiles(name: string, dir: string, files: ProjectedFile[]): Promise<void> {
    const digest = JSON.stringify(files.map((f) => [f.path, f.mode, f.data.toString('base64')]));
    const before = this.written.get(name);
    if (before?.digest === digest && existsSync(dir)) return;
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const paths: string[] = [];
    for (const f of files) {
      const target = safeJoin(dir, f.path);
      if (!target) continue;
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      const tmp = `${target}.bramble-tmp`;
      await writeFile(tmp, f.data, { mode: f.mode });
      await chmod(tmp, f.mode);
      await rename(tmp, target);
      paths.push(target);
    }
    for (const old of before?.paths ?? []) if (!paths.includes(old)) await rm(old, { force: true });
    if (!before) await removeStrays(dir, new Set(paths));
    this.written.set(name, { digest, paths });
  }

  /** mounts returns a container's bind mounts, or why one can't be made. */
  async mounts(c: Container): Promise<Result<Mount[]>> {
    const out: Mount[] = [];
    for (const m of (c.volumeMounts ?? []) as any[]) {
      const host = this.hosts.get(m.name);
      if (!host) return { ok: false, message: `volume "${m.name}" is not set up` };
      let source = host.path;
      if (m.subPath) {
        const sub = safeJoin(host.path, m.subPath);
        if (!sub) return { ok: false, message: `invalid subPath "${m.subPath}" in volume mount ${m.name}` };
        if (host.ownDir && !existsSync(sub)) await mkdir(sub, { recursive: true, mode: 0o777 });
        source = sub;
      }
      out.push({ source, target: m.mountPath, readOnly: Boolean(m.readOnly) || host.readOnly });
    }
    return { ok: true, value: out };
  }

  /** remove deletes the pod's directory (emptyDirs, projected files); hostPaths stay. */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    this.hosts.clear();
    this.written.clear();
  }
}

// removeStrays drops files left in a projected volume's directory by an earlier agent run.
async function removeStrays(dir: string, keep: Set<string>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (![...keep].some((k) => k.startsWith(`${full}/`))) await rm(full, { recursive: true, force: true });
      else await removeStrays(full, keep);
    } else if (!keep.has(full)) {
      await rm(full, { force: true });
    }
  }
}
