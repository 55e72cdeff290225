// configmap: v1 ConfigMap: valid keys, string data, base64 binaryData, no key in both, 1 MiB.
import { type FieldCause, invalid, key, type ValidateOptions } from './field.js';
import { base64Values, checkSize, stringValues, validateKeys } from './data.js';
import { validateObjectMeta } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { type Obj, typed } from './shape.js';
import { validateImmutable } from './immutable.js';

export function validateConfigMap(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  const data = validateKeys(out, obj.data, 'data');
  const binary = validateKeys(out, obj.binaryData, 'binaryData');
  for (const k of Object.keys(data)) {
    if (Object.hasOwn(binary, k)) out.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
  }
  checkSize(out, stringValues(out, data, 'data') + base64Values(out, binary, 'binaryData'));
  typed(out, obj.immutable, 'immutable', 'boolean');
  if (opts.update) validateImmutable(out, obj, opts.old, ['data', 'binaryData']);
  return out;
}
