// deployment: apps/v1 Deployment: the replicated spec (template.ts) plus the rollout strategy
// and its deadlines.
import { child, type FieldCause, forbidden, invalid, notSupported, type ValidateOptions } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isValidPercent, nameIsDNSSubdomain } from './names.js';
import { isObject, isSet, nonNegative, type Obj, typed } from './shape.js';
import { validateReplicatedSpec, validateSelectorUpdate } from './template.js';

const STRATEGIES = ['Recreate', 'RollingUpdate'];

// intOrPercent checks maxSurge/maxUnavailable and returns the value as a number (percent or count).
function intOrPercent(out: FieldCause[], v: unknown, field: string): number | undefined {
  if (typeof v === 'string') {
    const errs = isValidPercent(v);
    for (const msg of errs) out.push(invalid(field, v, msg));
    return errs.length ? undefined : Number.parseInt(v, 10);
  }
  if (isSet(v)) return nonNegative(out, v, field);
  return undefined;
}

function validateStrategy(out: FieldCause[], strategy: unknown, path: string): void {
  if (!typed(out, strategy, path, 'object')) return;
  const s = strategy as Obj;
  const type = typed(out, s.type, child(path, 'type'), 'string') ? s.type : 'RollingUpdate';
  if (!STRATEGIES.includes(type)) out.push(notSupported(child(path, 'type'), type, STRATEGIES));
  const rollingPath = child(path, 'rollingUpdate');
  if (!typed(out, s.rollingUpdate, rollingPath, 'object')) return;
  if (type === 'Recreate') {
    out.push(forbidden(rollingPath, "may not be specified when strategy `type` is 'Recreate'"));
    return;
  }
  const ru = s.rollingUpdate as Obj;
  // Unset values default to 25%, so only two explicit zeros can stall a rollout.
  const unavailable = intOrPercent(out, ru.maxUnavailable, child(rollingPath, 'maxUnavailable')) ?? 25;
  const surge = intOrPercent(out, ru.maxSurge, child(rollingPath, 'maxSurge')) ?? 25;
  if (unavailable === 0 && surge === 0) out.push(invalid(child(rollingPath, 'maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  if (typeof ru.maxUnavailable === 'string' && unavailable > 100) out.push(invalid(child(rollingPath, 'maxUnavailable'), ru.maxUnavailable, 'must not be greater than 100%'));
}

export function validateDeployment(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  if (isSet(obj.spec) && !typed(out, obj.spec, 'spec', 'object')) return out;
  const spec: Obj = isObject(obj.spec) ? obj.spec : {};
  validateReplicatedSpec(out, spec, 'spec');
  validateStrategy(out, spec.strategy, 'spec.strategy');
  nonNegative(out, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit');
  const deadline = nonNegative(out, spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds');
  const minReady = typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0;
  if (deadline !== undefined && deadline <= minReady) out.push(invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  typed(out, spec.paused, 'spec.paused', 'boolean');
  if (opts.update) validateSelectorUpdate(out, spec, opts.old, 'spec');
  return out;
}
