// pdb: policy/v1 PodDisruptionBudget: at most one of minAvailable and maxUnavailable, each a
// non-negative count or a percentage up to 100%, and a label selector (null selects no pods,
// {} every pod in the namespace). The spec may change after creation, as in policy/v1.
import { child, type FieldCause, invalid, notSupported, type ValidateOptions } from './field.js';
import { validateLabelSelector } from './labels.js';
import { validateObjectMeta } from './meta.js';
import { isValidPercent, nameIsDNSSubdomain } from './names.js';
import { isObject, isSet, type Obj, typed } from './shape.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

// validateIntOrPercent is ValidatePositiveIntOrPercent plus IsNotMoreThan100Percent.
function validateIntOrPercent(out: FieldCause[], v: unknown, field: string): void {
  if (typeof v === 'string') {
    const errs = isValidPercent(v);
    for (const msg of errs) out.push(invalid(field, v, msg));
    if (!errs.length && Number.parseInt(v, 10) > 100) out.push(invalid(field, v, 'must not be greater than 100%'));
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    if (v < 0) out.push(invalid(field, v, 'must be greater than or equal to 0'));
  } else {
    out.push(invalid(field, v, "must be an integer or percentage (e.g '5%')"));
  }
}

export function validatePodDisruptionBudget(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  if (isSet(obj.spec) && !typed(out, obj.spec, 'spec', 'object')) return out;
  const spec: Obj = isObject(obj.spec) ? obj.spec : {};
  const min = spec.minAvailable;
  const max = spec.maxUnavailable;
  if (isSet(min) && isSet(max)) out.push(invalid('spec', { minAvailable: min, maxUnavailable: max }, 'minAvailable and maxUnavailable cannot be both set'));
  if (isSet(min)) validateIntOrPercent(out, min, child('spec', 'minAvailable'));
  if (isSet(max)) validateIntOrPercent(out, max, child('spec', 'maxUnavailable'));
  if (isSet(spec.selector)) validateLabelSelector(out, spec.selector, child('spec', 'selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (isSet(policy) && !EVICTION_POLICIES.includes(policy)) out.push(notSupported(child('spec', 'unhealthyPodEvictionPolicy'), policy, EVICTION_POLICIES));
  return out;
}
