// pod-template-hash: the name suffix and label that tie a Deployment's pod template to its
// ReplicaSet, computed like Kubernetes' controller.ComputeHash: FNV-32a over the template (plus
// the collision count when set), the decimal digits mapped through rand.SafeEncodeString's
// alphabet. Kubernetes hashes Go's spew dump of the struct; Bramble hashes a stable JSON, so the
// suffixes have the same shape (e.g. "7c9d5b4f8") but not the same values as a real cluster's.
import type { PodTemplateSpec } from '../../shared/api/core.js';
import { parseQuantity } from '../../shared/quantity.js';

export const POD_TEMPLATE_HASH = 'pod-template-hash';

// SAFE_ALPHABET is rand.SafeEncodeString's: no vowels and no look-alikes (0/o, 1/l, 3/e).
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

// Plain Go bools and ints with omitempty: a client that round-trips a template through Go types
// (kubectl rollout undo does) drops them when false/0, so false/0 must equal "absent" for them.
const OMIT_FALSE = new Set(['hostNetwork', 'hostPID', 'hostIPC', 'stdin', 'stdinOnce', 'tty', 'readOnly']);
const OMIT_ZERO = new Set(['hostPort']);

/**
 * normalizeTemplate drops what Go's semantic equality ignores: null and empty maps, lists and
 * strings (Go's zero values, omitted or not), and the pod-template-hash label.
 */
export function normalizeTemplate(t: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(t ?? {}) as any;
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
  const containers = [...asArray(copy.spec?.containers), ...asArray(copy.spec?.initContainers)];
  for (const c of containers) for (const list of [c?.resources?.requests, c?.resources?.limits]) canonicalQuantities(list);
  return prune(copy) ?? {};
}

const asArray = (v: unknown): any[] => (Array.isArray(v) ? v : []);

// canonicalQuantities compares quantities by value: Go re-prints "0.5" as "500m" on a round trip.
function canonicalQuantities(list: unknown): void {
  if (!list || typeof list !== 'object') return;
  const m = list as Record<string, unknown>;
  for (const [k, v] of Object.entries(m)) {
    const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : undefined;
    // toPrecision absorbs float noise from suffixes (700 × 0.001 is not exactly 0.7).
    if (q !== undefined) m[k] = Number(q.toPrecision(12));
  }
}

function prune(v: unknown, key = ''): unknown {
  if (v === null || v === undefined || v === '') return undefined;
  if ((v === false && OMIT_FALSE.has(key)) || (v === 0 && OMIT_ZERO.has(key))) return undefined;
  if (Array.isArray(v)) {
    // List items keep their places: only their insides are pruned.
    const out = v.map((x) => (x && typeof x === 'object' ? (prune(x) ?? {}) : x));
    return out.length ? out : undefined;
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x, k);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

/** stableStringify is JSON with object keys sorted, so equal values always print the same. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => stableStringify(x ?? null)).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as any)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** fnv32a is the 32-bit FNV-1a hash of some bytes. */
export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** safeEncodeString maps each character as Kubernetes' rand.SafeEncodeString does. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** podTemplateHash is the pod-template-hash of a template (and collision count, when set). */
export function podTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(stableStringify(normalizeTemplate(template))));
  if (collisionCount !== undefined && collisionCount !== null) {
    // As Kubernetes: the count as a little-endian uint32 in an 8-byte buffer.
    const buf = new Uint8Array(8);
    new DataView(buf.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(buf, h);
  }
  return safeEncodeString(String(h));
}

/** templatesEqualIgnoringHash is Kubernetes' EqualIgnoreHash on normalized templates. */
export function templatesEqualIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return stableStringify(normalizeTemplate(a)) === stableStringify(normalizeTemplate(b));
}
