// labels: validation of label maps, annotations and LabelSelectors (metav1 validation rules).
import { child, type FieldCause, forbidden, goStringMap, invalid, Raw, required, tooLong } from './field.js';
import { isQualifiedName, isValidLabelValue, TOTAL_ANNOTATION_SIZE_LIMIT, utf8Length } from './names.js';
import { isObject, isSet, type Obj, objects, str, stringMap, strings, typed } from './shape.js';

/** validateLabels reports bad keys and values; as in Kubernetes the field is the map, not the key. */
export function validateLabels(out: FieldCause[], labels: unknown, field: string): void {
  for (const [k, v] of stringMap(out, labels, field)) {
    for (const msg of isQualifiedName(k)) out.push(invalid(field, k, msg));
    for (const msg of isValidLabelValue(v)) out.push(invalid(field, v, msg));
  }
}

/** validateAnnotations checks keys (case-insensitive qualified names) and the 256 KiB total. */
export function validateAnnotations(out: FieldCause[], annotations: unknown, field: string): void {
  let size = 0;
  for (const [k, v] of stringMap(out, annotations, field)) {
    for (const msg of isQualifiedName(k.toLowerCase())) out.push(invalid(field, k, msg));
    size += utf8Length(k) + utf8Length(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) out.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** validateLabelSelector checks matchLabels and matchExpressions of a metav1.LabelSelector. */
export function validateLabelSelector(out: FieldCause[], sel: unknown, field: string): void {
  if (!typed(out, sel, field, 'object')) return;
  const s = sel as Obj;
  validateLabels(out, s.matchLabels, child(field, 'matchLabels'));
  for (const [expr, path] of objects(out, s.matchExpressions, child(field, 'matchExpressions'))) {
    const op = str(out, expr.operator, child(path, 'operator'));
    const values = strings(out, expr.values, child(path, 'values'));
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) out.push(required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) out.push(forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else if (!OPERATORS.has(op)) {
      out.push(invalid(child(path, 'operator'), op, 'not a valid selector operator'));
    }
    const k = str(out, expr.key, child(path, 'key'));
    for (const msg of isQualifiedName(k)) out.push(invalid(child(path, 'key'), k, msg));
    for (const [v, i] of values) for (const msg of isValidLabelValue(v)) out.push(invalid(`${child(path, 'values')}[${i}]`, v, msg));
  }
}

/** selectorIsEmpty is true for {} (which Kubernetes reads as "everything"). */
export function selectorIsEmpty(sel: Obj): boolean {
  const labels = isObject(sel.matchLabels) ? Object.keys(sel.matchLabels).length : 0;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0;
  return labels + exprs === 0;
}

/** goLabelSelector prints a selector as the apiserver does in messages (Go's %#v of v1.LabelSelector). */
export function goLabelSelector(sel: unknown): Raw {
  const s = isObject(sel) ? sel : {};
  const labels = goStringMap(s.matchLabels).text;
  const exprs = isSet(s.matchExpressions) ? `[]v1.LabelSelectorRequirement${JSON.stringify(s.matchExpressions)}` : '[]v1.LabelSelectorRequirement(nil)';
  return new Raw(`v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`);
}
