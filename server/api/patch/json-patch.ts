// json-patch: RFC 6902 JSON patch (application/json-patch+json) through fast-json-patch, as
// `kubectl rollout undo` sends it: [{"op":"replace","path":"/spec/template","value":{…}}].
// Every operation is validated first, so a replace or remove on a missing path fails instead of
// quietly adding, and a failed "test" aborts the whole patch.
import jsonpatch from 'fast-json-patch';
import { PatchError } from './errors.js';

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

// describe turns fast-json-patch's error names into messages close to the apiserver's.
function describe(e: InstanceType<typeof jsonpatch.JsonPatchError>): PatchError {
  const op = (e.operation ?? {}) as { op?: string; path?: string; from?: string };
  const where = `operation ${e.index ?? 0} (${op.op ?? '?'} ${op.path ?? ''})`;
  switch (e.name) {
    case 'SEQUENCE_NOT_AN_ARRAY':
      return new PatchError(400, 'a JSON patch must be a JSON array of operations');
    case 'OPERATION_NOT_AN_OBJECT':
      return new PatchError(400, `json patch ${where}: an operation must be a JSON object`);
    case 'OPERATION_OP_INVALID':
      return new PatchError(422, `json patch ${where}: Unexpected kind: ${op.op}`);
    case 'OPERATION_PATH_INVALID':
      return new PatchError(422, `json patch ${where}: "path" must be a JSON pointer string such as "/spec/replicas"`);
    case 'OPERATION_FROM_REQUIRED':
      return new PatchError(422, `json patch ${where}: "from" is required`);
    case 'OPERATION_VALUE_REQUIRED':
    case 'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED':
      return new PatchError(422, `json patch ${where}: "value" is required`);
    case 'OPERATION_PATH_CANNOT_ADD':
      return new PatchError(422, `json patch ${where}: add operation does not apply: doc is missing path: "${op.path}": missing value`);
    case 'OPERATION_PATH_UNRESOLVABLE':
      return new PatchError(422, `json patch ${where}: ${op.op} operation does not apply: doc is missing key: ${op.path}: missing value`);
    case 'OPERATION_FROM_UNRESOLVABLE':
      return new PatchError(422, `json patch ${where}: ${op.op} operation does not apply: doc is missing from path: ${op.from}: missing value`);
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return new PatchError(422, `json patch ${where}: array index out of bounds or not a number`);
    case 'TEST_OPERATION_FAILED':
      return new PatchError(422, `json patch ${where}: testing value ${op.path} failed: test failed`);
    default:
      return new PatchError(422, `json patch ${where}: ${e.message.split('\n')[0]}`);
  }
}

/** applyJsonPatch applies RFC 6902 operations to a copy of original. */
export function applyJsonPatch(original: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError(400, 'a JSON patch must be a JSON array of operations');
  ops.forEach((o, i) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new PatchError(400, `json patch operation ${i}: an operation must be a JSON object`);
    if (!OPS.has((o as { op?: unknown }).op as string)) {
      throw new PatchError(422, `json patch operation ${i}: Unexpected kind: ${String((o as { op?: unknown }).op)}`);
    }
  });
  try {
    return jsonpatch.applyPatch(structuredClone(original), ops, true, true, true).newDocument;
  } catch (e) {
    if (e instanceof jsonpatch.JsonPatchError) throw describe(e);
    throw e;
  }
}
