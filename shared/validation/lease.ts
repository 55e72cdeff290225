// lease: coordination.k8s.io/v1 Lease, which node heartbeats and leader election renew.
import { type FieldCause, invalid, type ValidateOptions } from './field.js';
import { validateObjectMeta } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { int, isSet, type Obj, str, typed } from './shape.js';

// MicroTime: RFC 3339 with an optional fraction, as Go's metav1.MicroTime decodes it.
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function validateTime(out: FieldCause[], v: unknown, field: string): void {
  const s = str(out, v, field);
  if (s && (!MICRO_TIME.test(s) || Number.isNaN(Date.parse(s)))) out.push(invalid(field, s, 'must be an RFC 3339 time such as 2006-01-02T15:04:05.000000Z'));
}

export function validateLease(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  if (!isSet(obj.spec) || !typed(out, obj.spec, 'spec', 'object')) return out;
  const spec = obj.spec as Obj;
  str(out, spec.holderIdentity, 'spec.holderIdentity');
  const duration = int(out, spec.leaseDurationSeconds, 'spec.leaseDurationSeconds');
  if (duration !== undefined && duration <= 0) out.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = int(out, spec.leaseTransitions, 'spec.leaseTransitions');
  if (transitions !== undefined && transitions < 0) out.push(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  validateTime(out, spec.acquireTime, 'spec.acquireTime');
  validateTime(out, spec.renewTime, 'spec.renewTime');
  return out;
}
