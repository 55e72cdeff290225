// namespace: v1 Namespace (cluster-scoped). Its name is a DNS-1123 label because it becomes a
// DNS label in service names (web.default.svc).
import { at, type FieldCause, invalid, notSupported, type ValidateOptions } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isQualifiedName, nameIsDNSLabel } from './names.js';
import { isSet, type Obj, str, strings, typed } from './shape.js';

const PHASES = ['Active', 'Terminating'];

export function validateNamespace(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSLabel });
  if (isSet(obj.spec) && typed(out, obj.spec, 'spec', 'object')) {
    for (const [f, i] of strings(out, obj.spec.finalizers, 'spec.finalizers')) {
      for (const msg of isQualifiedName(f)) out.push(invalid(at('spec.finalizers', i), f, msg));
    }
  }
  if (isSet(obj.status) && typed(out, obj.status, 'status', 'object')) {
    const phase = str(out, obj.status.phase, 'status.phase');
    if (phase && !PHASES.includes(phase)) out.push(notSupported('status.phase', phase, PHASES));
  }
  return out;
}

