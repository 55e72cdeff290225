// data: the key/value bags of ConfigMaps and Secrets. Keys become file names in volumes, so they
// must be config keys; the whole object is capped at 1 MiB, as etcd objects are.
import { type FieldCause, invalid, invalidOmitted, key, tooLong, typeInvalid } from './field.js';
import { isConfigMapKey, utf8Length } from './names.js';
import { type Obj, typed } from './shape.js';

export const MAX_DATA_SIZE = 1024 * 1024;

/** validateKeys checks each key of a data map and returns the map (or {} when it is not one). */
export function validateKeys(out: FieldCause[], data: unknown, field: string): Obj {
  if (!typed(out, data, field, 'object')) return {};
  for (const k of Object.keys(data as Obj)) for (const msg of isConfigMapKey(k)) out.push(invalid(key(field, k), k, msg));
  return data as Obj;
}

/** stringValues checks that every value is a string and returns their summed size in bytes. */
export function stringValues(out: FieldCause[], data: Obj, field: string): number {
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'string') size += utf8Length(v);
    else out.push(typeInvalid(key(field, k), v, 'string'));
  }
  return size;
}

const BASE64_CHAR = /[A-Za-z0-9+/=\r\n]/;

// base64Error finds the first byte Go's StdEncoding would reject, or -1 when the text decodes.
function base64Error(s: string): number {
  const text = s.replace(/[\r\n]/g, '');
  for (let i = 0; i < s.length; i++) if (!BASE64_CHAR.test(s[i])) return i;
  const pad = text.indexOf('=');
  if (pad >= 0 && (!/^={1,2}$/.test(text.slice(pad)) || text.length % 4 !== 0)) return pad;
  if (text.length % 4 !== 0) return text.length - (text.length % 4);
  return -1;
}

/** base64Values checks that every value is standard base64 and returns the decoded size in bytes. */
export function base64Values(out: FieldCause[], data: Obj, field: string): number {
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string') {
      out.push(typeInvalid(key(field, k), v, 'string'));
      continue;
    }
    const bad = base64Error(v);
    // The value itself is never echoed: it may be a secret.
    if (bad >= 0) out.push(invalidOmitted(key(field, k), `illegal base64 data at input byte ${bad}`));
    else size += Math.floor((v.replace(/[\r\n=]/g, '').length * 3) / 4);
  }
  return size;
}

/** checkSize adds the apiserver's whole-object TooLong cause when data exceeds 1 MiB. */
export function checkSize(out: FieldCause[], size: number): void {
  if (size > MAX_DATA_SIZE) out.push(tooLong('', MAX_DATA_SIZE));
}
