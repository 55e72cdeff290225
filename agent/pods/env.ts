// env: a container's environment from its pod spec, as the kubelet builds it: envFrom first (in
// order, with prefixes), then env (later names override earlier ones), each value expanded with
// $(VAR) references to what is already defined. Pure: the sources come in through an ObjectLookup.
import type { Container, Pod } from '../../shared/api/core.js';
import { bytes, milliCPU } from '../../shared/quantity.js';
import { findSource, type ObjectLookup, type Result, type SourceKind, notFound, sourceBytes } from './sources.js';

export interface EnvContext {
  pod: Pod;
  container: Container;
  lookup: ObjectLookup;
  nodeName: string;
  hostIP: string;
  podIP?: string;
  /** nodeAllocatable answers resourceFieldRef for a container without that limit. */
  nodeAllocatable?: { cpu?: string; memory?: string };
}

/** resolveEnv returns the container's variables in definition order, or why they can't be built. */
export function resolveEnv(ctx: EnvContext): Result<Map<string, string>> {
  const vars = new Map<string, string>();
  const ns = ctx.pod.metadata.namespace ?? 'default';
  for (const from of ctx.container.envFrom ?? []) {
    const kind: SourceKind | undefined = from.configMapRef ? 'configmap' : from.secretRef ? 'secret' : undefined;
    if (!kind) continue;
    const ref = from.configMapRef ?? from.secretRef;
    const obj = findSource(ctx.lookup, kind, ns, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      return { ok: false, message: notFound(kind, ref.name) };
    }
    for (const [k, v] of sourceBytes(kind, obj)) {
      const name = `${from.prefix ?? ''}${k}`;
      if (!name.includes('=')) vars.set(name, v.toString('utf8'));
    }
  }
  for (const e of ctx.container.env ?? []) {
    if (!e?.name) continue;
    if (e.valueFrom) {
      const v = valueFrom(ctx, e.valueFrom);
      if (!v.ok) return v;
      if (v.value !== undefined) vars.set(e.name, v.value);
    } else {
      vars.set(e.name, expand(String(e.value ?? ''), vars));
    }
  }
  return { ok: true, value: vars };
}

// valueFrom resolves one env source; an undefined value means "optional and absent: leave it out".
function valueFrom(ctx: EnvContext, src: any): Result<string | undefined> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  if (src.configMapKeyRef || src.secretKeyRef) {
    const kind: SourceKind = src.configMapKeyRef ? 'configmap' : 'secret';
    const ref = src.configMapKeyRef ?? src.secretKeyRef;
    const obj = findSource(ctx.lookup, kind, ns, ref.name);
    if (!obj) return ref.optional ? { ok: true, value: undefined } : { ok: false, message: notFound(kind, ref.name) };
    const value = sourceBytes(kind, obj).get(ref.key);
    if (value === undefined) {
      if (ref.optional) return { ok: true, value: undefined };
      return { ok: false, message: `couldn't find key ${ref.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name}` };
    }
    return { ok: true, value: value.toString('utf8') };
  }
  if (src.fieldRef) return fieldRef(ctx, String(src.fieldRef.fieldPath ?? ''));
  if (src.resourceFieldRef) return resourceFieldRef(ctx, src.resourceFieldRef);
  return { ok: true, value: undefined };
}

/** fieldRef answers the downward API field paths a container may read. */
export function fieldRef(ctx: Pick<EnvContext, 'pod' | 'nodeName' | 'hostIP' | 'podIP'>, path: string): Result<string> {
  const meta = ctx.pod.metadata;
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return { ok: true, value: (keyed[1] === 'labels' ? meta.labels : meta.annotations)?.[keyed[2]] ?? '' };
  switch (path) {
    case 'metadata.name':
      return { ok: true, value: meta.name ?? '' };
    case 'metadata.namespace':
      return { ok: true, value: meta.namespace ?? 'default' };
    case 'metadata.uid':
      return { ok: true, value: meta.uid ?? '' };
    case 'spec.nodeName':
      return { ok: true, value: ctx.pod.spec.nodeName ?? ctx.nodeName };
    case 'spec.serviceAccountName':
      return { ok: true, value: ctx.pod.spec.serviceAccountName ?? 'default' };
    case 'status.podIP':
    case 'status.podIPs':
      return { ok: true, value: ctx.podIP ?? '' };
    case 'status.hostIP':
    case 'status.hostIPs':
      return { ok: true, value: ctx.hostIP };
    default:
      return { ok: false, message: `unsupported fieldRef ${path}` };
  }
}

// resourceFieldRef reads a limit or request, divided by the divisor (rounded up, as the kubelet does).
function resourceFieldRef(ctx: EnvContext, ref: any): Result<string> {
  const target = ref.containerName ? ctx.pod.spec.containers.find((c) => c.name === ref.containerName) : ctx.container;
  const res = String(ref.resource ?? '');
  const [section, what] = res.split('.') as ['limits' | 'requests', string];
  const given = target?.resources?.[section]?.[what] ?? (section === 'limits' ? ctx.nodeAllocatable?.[what as 'cpu' | 'memory'] : undefined);
  if (what === 'cpu') {
    const divisor = milliCPU(ref.divisor ?? '1') || 1000;
    return { ok: true, value: String(Math.ceil(milliCPU(given ?? '0') / divisor)) };
  }
  if (what === 'memory' || what === 'ephemeral-storage') {
    const divisor = bytes(ref.divisor ?? '1') || 1;
    return { ok: true, value: String(Math.ceil(bytes(given ?? '0') / divisor)) };
  }
  return { ok: false, message: `unsupported resourceFieldRef ${res}` };
}

/**
 * expand replaces $(NAME) with a defined variable's value, as Kubernetes does in env values,
 * command and args: "$$" is a literal "$" (so "$$(X)" stays "$(X)") and an undefined reference is
 * left as written.
 */
export function expand(input: string, vars: Map<string, string>): string {
  if (!input.includes('$')) return input;
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += vars.has(name) ? vars.get(name) : `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

/** envList turns resolved variables into Docker's NAME=value strings. */
export function envList(vars: Map<string, string>): string[] {
  return [...vars].map(([k, v]) => `${k}=${v}`);
}
