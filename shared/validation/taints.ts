// taints: Node taints and Pod tolerations, which must agree on keys, values and effects.
import { child, duplicate, type FieldCause, invalid, notSupported, required } from './field.js';
import { isQualifiedName, isValidLabelValue } from './names.js';
import { isSet, objects, str, typed } from './shape.js';

export const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

function validateEffect(out: FieldCause[], effect: string, field: string, allowEmpty: boolean): void {
  if (!effect) {
    if (!allowEmpty) out.push(required(field, ''));
  } else if (!(EFFECTS as readonly string[]).includes(effect)) {
    out.push(notSupported(field, effect, EFFECTS));
  }
}

export function validateTaints(out: FieldCause[], taints: unknown, field: string): void {
  const seen = new Set<string>();
  for (const [t, path] of objects(out, taints, field)) {
    const k = str(out, t.key, child(path, 'key'));
    if (!k) out.push(required(child(path, 'key'), ''));
    else for (const msg of isQualifiedName(k)) out.push(invalid(child(path, 'key'), k, msg));
    const value = str(out, t.value, child(path, 'value'));
    for (const msg of isValidLabelValue(value)) out.push(invalid(child(path, 'value'), value, msg));
    const effect = str(out, t.effect, child(path, 'effect'));
    validateEffect(out, effect, child(path, 'effect'), false);
    str(out, t.timeAdded, child(path, 'timeAdded'));
    const id = `${k}\u0000${effect}`;
    if (seen.has(id)) out.push(duplicate(path, t, 'taints must be unique by key and effect pair'));
    seen.add(id);
  }
}

export function validateTolerations(out: FieldCause[], tolerations: unknown, field: string): void {
  for (const [t, path] of objects(out, tolerations, field)) {
    const k = str(out, t.key, child(path, 'key'));
    const op = str(out, t.operator, child(path, 'operator'));
    const value = str(out, t.value, child(path, 'value'));
    const effect = str(out, t.effect, child(path, 'effect'));
    if (k) for (const msg of isQualifiedName(k)) out.push(invalid(child(path, 'key'), k, msg));
    if (!k && op !== 'Exists') {
      out.push(invalid(child(path, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (typed(out, t.tolerationSeconds, child(path, 'tolerationSeconds'), 'integer') && effect !== 'NoExecute') {
      out.push(invalid(child(path, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === '' || op === 'Equal') {
      const errs = isValidLabelValue(value);
      if (errs.length) out.push(invalid(child(path, 'operator'), value, errs.join(';')));
    } else if (op === 'Exists') {
      if (value) out.push(invalid(child(path, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push(notSupported(child(path, 'operator'), op, ['Equal', 'Exists']));
    }
    if (isSet(t.effect)) validateEffect(out, effect, child(path, 'effect'), true);
  }
}
