// immutable: ConfigMaps and Secrets marked `immutable: true` can never change their data, and
// can never be made mutable again.
import { forbidden, type FieldCause } from './field.js';
import { deepEqual, isObject } from './shape.js';

export function validateImmutable(out: FieldCause[], obj: Record<string, any>, old: unknown, fields: readonly string[]): void {
  if (!isObject(old) || old.immutable !== true) return;
  if (obj.immutable !== true) out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) out.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
}
