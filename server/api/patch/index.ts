// patch: applies a PATCH body to an object, dispatching on the request's Content-Type.
//
//   application/merge-patch+json            RFC 7386 (kubectl scale, label, annotate; CRDs)
//   application/json-patch+json             RFC 6902 (kubectl rollout undo)
//   application/strategic-merge-patch+json  built-in kinds (kubectl apply, set image, rollout restart)
//   application/apply-patch+yaml            server-side apply (kubectl apply --server-side)
//
// Server-side apply is approximated: the applied configuration is merged onto the live object
// the way a strategic merge patch would merge it. Without managedFields there is no field
// ownership, so (1) a field dropped from the manifest is not removed from the live object (use
// `null` or client-side apply for that), and (2) conflicts between managers are never reported
// (no 409). Lists merge on the strategic-merge keys, which match the built-in kinds' listMapKeys.
import { parse as parseYaml } from 'yaml';
import { PatchError } from './errors.js';
import { applyJsonPatch } from './json-patch.js';
import { mergePatch } from './merge-patch.js';
import { strategicMergePatch } from './strategic-merge-patch.js';

export { PatchError, type PatchErrorCode } from './errors.js';
export { applyJsonPatch } from './json-patch.js';
export { mergePatch } from './merge-patch.js';
export { listStrategyFor, mergeKeyFor, strategicMergePatch } from './strategic-merge-patch.js';

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';
export const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH, STRATEGIC_MERGE_PATCH] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// mediaType strips parameters (`; charset=utf-8`) and case from a Content-Type.
const mediaType = (contentType: string) => (contentType ?? '').split(';')[0].trim().toLowerCase();

function parseJson(body: string | object): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch (e) {
    throw new PatchError(400, `the patch body is not valid JSON: ${(e as Error).message}`);
  }
}

// parseApplyBody reads YAML or JSON (kubectl sends JSON under the YAML content type).
function parseApplyBody(body: string | object): unknown {
  if (typeof body !== 'string') return body;
  try {
    return parseYaml(body);
  } catch (e) {
    throw new PatchError(400, `the apply body is not valid YAML or JSON: ${(e as Error).message}`);
  }
}

function objectBody(v: unknown, what: string): Record<string, unknown> {
  if (!isObject(v)) throw new PatchError(400, `${what} must be a JSON object`);
  return v;
}

function objectResult(v: unknown): object {
  if (!isObject(v)) throw new PatchError(422, 'the patch did not produce an object');
  return v;
}

/** applyConfiguration is the server-side-apply approximation described above. */
export function applyConfiguration(original: object, applied: unknown): object {
  const config = structuredClone(objectBody(applied, 'an apply configuration'));
  if (isObject(config.metadata)) delete config.metadata.managedFields;
  return strategicMergePatch(original, config);
}

/** applyPatch applies body (text or parsed) to original and returns a new object; original is untouched. */
export function applyPatch(contentType: string, original: object, body: string | object): object {
  switch (mediaType(contentType)) {
    case MERGE_PATCH:
      return objectResult(mergePatch(original, objectBody(parseJson(body), 'a merge patch')));
    case JSON_PATCH:
      return objectResult(applyJsonPatch(original, parseJson(body)));
    case STRATEGIC_MERGE_PATCH:
      return objectResult(strategicMergePatch(original, objectBody(parseJson(body), 'a strategic merge patch')));
    case APPLY_PATCH:
      return objectResult(applyConfiguration(original, parseApplyBody(body)));
    default:
      throw new PatchError(415, `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
  }
}
