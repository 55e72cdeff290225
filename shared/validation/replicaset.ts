// replicaset: apps/v1 ReplicaSet: a replicated spec (template.ts) and nothing more.
import type { FieldCause, ValidateOptions } from './field.js';
import { validateObjectMeta } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { isObject, isSet, type Obj, typed } from './shape.js';
import { validateReplicatedSpec, validateSelectorUpdate } from './template.js';

export function validateReplicaSet(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  if (isSet(obj.spec) && !typed(out, obj.spec, 'spec', 'object')) return out;
  const spec: Obj = isObject(obj.spec) ? obj.spec : {};
  validateReplicatedSpec(out, spec, 'spec');
  if (opts.update) validateSelectorUpdate(out, spec, opts.old, 'spec');
  return out;
}
