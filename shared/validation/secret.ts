// secret: v1 Secret: valid keys, base64 data (never echoed back), string stringData, 1 MiB,
// and the keys each built-in type requires. A Secret's type cannot change.
import { type FieldCause, invalid, key, required, type ValidateOptions } from './field.js';
import { base64Values, checkSize, stringValues, validateKeys } from './data.js';
import { validateImmutable } from './immutable.js';
import { validateObjectMeta } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { isObject, type Obj, str, typed } from './shape.js';

// REQUIRED_KEYS lists the data keys a typed Secret must carry (any one of an inner list).
const REQUIRED_KEYS = new Map<string, string[][]>([
  ['kubernetes.io/dockercfg', [['.dockercfg']]],
  ['kubernetes.io/dockerconfigjson', [['.dockerconfigjson']]],
  ['kubernetes.io/basic-auth', [['username', 'password']]],
  ['kubernetes.io/ssh-auth', [['ssh-privatekey']]],
  ['kubernetes.io/tls', [['tls.crt'], ['tls.key']]],
]);

export function validateSecret(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  const data = validateKeys(out, obj.data, 'data');
  const stringData = validateKeys(out, obj.stringData, 'stringData');
  checkSize(out, base64Values(out, data, 'data') + stringValues(out, stringData, 'stringData'));
  const type = str(out, obj.type, 'type');
  const keys = new Set([...Object.keys(data), ...Object.keys(stringData)]);
  for (const anyOf of REQUIRED_KEYS.get(type) ?? []) {
    if (!anyOf.some((k) => keys.has(k))) out.push(required(key('data', anyOf[0]), ''));
  }
  if (type === 'kubernetes.io/service-account-token') {
    const annotations = isObject(obj.metadata) && isObject(obj.metadata.annotations) ? obj.metadata.annotations : {};
    if (!annotations['kubernetes.io/service-account.name']) {
      out.push(required(key('metadata.annotations', 'kubernetes.io/service-account.name'), ''));
    }
  }
  typed(out, obj.immutable, 'immutable', 'boolean');
  if (opts.update && isObject(opts.old)) {
    const oldType = typeof opts.old.type === 'string' ? opts.old.type : 'Opaque';
    if ((type || 'Opaque') !== oldType) out.push(invalid('type', type, 'field is immutable'));
    validateImmutable(out, obj, opts.old, ['data']);
  }
  return out;
}
