// merge-patch: RFC 7386 JSON merge patch (application/merge-patch+json). Objects merge key by
// key, null deletes a key, and anything else (arrays included) replaces the target value.

type Json = unknown;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// apply follows the RFC's MergePatch(Target, Patch) pseudocode on a target it may modify.
function apply(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '__proto__') continue; // never let a body reach Object.prototype
    if (v === null) delete out[k];
    else out[k] = apply(out[k], v);
  }
  return out;
}

/** mergePatch returns target with patch applied; neither input is modified. */
export function mergePatch(target: Json, patch: Json): Json {
  return apply(structuredClone(target), patch);
}
