// images: pull policy, registry credentials from imagePullSecrets, and the platform check that
// keeps a linux/amd64 image from crash-looping on a Pi. ensureImage is the one I/O step; the rest
// is pure.
import type { Container, Pod } from '../../shared/api/core.js';
import type { ContainerRuntime, ImageInfo, RegistryAuth } from '../runtime/runtime.js';
import type { ObjectLookup } from './sources.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** pullPolicy is the container's policy, defaulted as the API server does (":latest" or no tag → Always). */
export function pullPolicy(c: Pick<Container, 'image' | 'imagePullPolicy'>): PullPolicy {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  if (c.image.includes('@')) return 'IfNotPresent';
  const last = c.image.slice(c.image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** registryOf names the registry an image reference points at ("docker.io" for Docker Hub). */
export function registryOf(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = ref.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return 'docker.io';
  return DOCKER_HUB.has(first) ? 'docker.io' : first;
}

// registryKey normalises a docker config key ("https://index.docker.io/v1/", "ghcr.io") to a host.
function registryKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0];
  return DOCKER_HUB.has(host) ? 'docker.io' : host;
}

/** pullAuth finds credentials for an image in the pod's imagePullSecrets (dockerconfigjson or dockercfg). */
export function pullAuth(pod: Pod, image: string, lookup: ObjectLookup): RegistryAuth | undefined {
  const registry = registryOf(image);
  const ns = pod.metadata.namespace ?? 'default';
  for (const ref of (pod.spec.imagePullSecrets ?? []) as { name?: string }[]) {
    const secret = ref?.name ? lookup.secret(ns, ref.name) : undefined;
    if (!secret) continue;
    const entries = dockerConfigEntries(secret.type, secret.data ?? {});
    for (const [key, entry] of Object.entries(entries)) {
      if (registryKey(key) !== registry) continue;
      const auth: RegistryAuth = { serveraddress: registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry };
      let { username, password } = entry;
      if ((!username || !password) && entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon >= 0) [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
      }
      if (username !== undefined) auth.username = username;
      if (password !== undefined) auth.password = password;
      return auth;
    }
  }
  return undefined;
}

type DockerEntry = { username?: string; password?: string; auth?: string };

function dockerConfigEntries(type: string | undefined, data: Record<string, string>): Record<string, DockerEntry> {
  const raw = type === 'kubernetes.io/dockercfg' ? data['.dockercfg'] : data['.dockerconfigjson'];
  if (!raw) return {};
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    return (type === 'kubernetes.io/dockercfg' ? parsed : parsed?.auths) ?? {};
  } catch {
    return {};
  }
}

const ARCH: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv7l: 'arm',
  armv6l: 'arm',
  armhf: 'arm',
  armel: 'arm',
  arm: 'arm',
  i386: '386',
  i686: '386',
  '386': '386',
};

/** normalizeArch maps kernel and Docker names (x86_64, aarch64, armv7l) to Go's (amd64, arm64, arm). */
export function normalizeArch(arch: string): string {
  return ARCH[arch.toLowerCase()] ?? arch.toLowerCase();
}

export interface Platform {
  os: string;
  arch: string;
}

/**
 * platformProblem says why an image can't run on this node, or undefined when it can (or when the
 * image doesn't say). A 64-bit ARM node also runs 32-bit ARM images, as Raspberry Pi OS does.
 */
export function platformProblem(ref: string, image: ImageInfo, node: Platform): string | undefined {
  if (!image.architecture) return undefined;
  const arch = normalizeArch(image.architecture);
  const nodeArch = normalizeArch(node.arch);
  const os = (image.os ?? 'linux').toLowerCase();
  const nodeOs = node.os.toLowerCase();
  const archOk = arch === nodeArch || (nodeArch === 'arm64' && arch === 'arm');
  if (archOk && os === nodeOs) return undefined;
  const built = `${os}/${arch}${image.variant ? `/${image.variant}` : ''}`;
  return `image ${ref} is built for ${built}, this node is ${nodeOs}/${nodeArch}`;
}

export type ImageOutcome = { ok: true; image: ImageInfo } | { ok: false; reason: ImageWaitReason; message: string };
export type ImageWaitReason = 'ErrImagePull' | 'ErrImageNeverPull' | 'ImageInspectError';

export interface ImageEvents {
  normal(reason: string, message: string): void;
  warning(reason: string, message: string): void;
}

/** ensureImage makes an image present per its pull policy and checks its platform. */
export async function ensureImage(
  runtime: ContainerRuntime,
  ref: string,
  policy: PullPolicy,
  auth: RegistryAuth | undefined,
  node: Platform,
  events: ImageEvents,
  now: () => number,
): Promise<ImageOutcome> {
  let image = await runtime.image(ref);
  if (policy === 'Never' && !image) {
    const message = `Container image "${ref}" is not present with pull policy of Never`;
    events.warning('ErrImageNeverPull', message);
    return { ok: false, reason: 'ErrImageNeverPull', message };
  }
  if (policy === 'Always' || !image) {
    events.normal('Pulling', `Pulling image "${ref}"`);
    const started = now();
    try {
      await runtime.pull(ref, auth);
      image = await runtime.image(ref);
      if (!image) throw new Error(`image ${ref} is not present after pulling it`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      events.warning('Failed', `Failed to pull image "${ref}": ${message}`);
      return { ok: false, reason: 'ErrImagePull', message };
    }
    events.normal('Pulled', `Successfully pulled image "${ref}" in ${((now() - started) / 1000).toFixed(3)}s`);
  } else {
    events.normal('Pulled', `Container image "${ref}" already present on machine`);
  }
  const problem = platformProblem(ref, image, node);
  if (problem) {
    events.warning('Failed', problem);
    return { ok: false, reason: 'ImageInspectError', message: problem };
  }
  return { ok: true, image };
}
