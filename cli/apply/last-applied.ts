// last-applied: client-side apply's memory. The manifest as last applied is kept on the object in
// an annotation (compact JSON, keys sorted like Go's encoder, "annotations":{} kept), so the next
// apply can tell the fields it set and later dropped from fields that others set.
import type { KubeObject } from '../../shared/api/meta.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** withLastApplied returns the object to send: the manifest plus the annotation that records it. */
export function withLastApplied(manifest: KubeObject): KubeObject {
  const obj = structuredClone(manifest);
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  obj.metadata.annotations = annotations;
  const recorded = `${canonicalJson(obj)}\n`;
  obj.metadata.annotations = { ...annotations, [LAST_APPLIED]: recorded };
  return obj;
}

/** lastAppliedOf parses the annotation on a live object; undefined if missing or unreadable. */
export function lastAppliedOf(live: KubeObject): KubeObject | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** canonicalJson is compact JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
