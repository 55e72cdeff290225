// node: v1 Node (cluster-scoped). Taints, pod CIDRs and the capacity a node reports.
import { isQuantity, parseQuantity } from '../quantity.js';
import { at, child, type FieldCause, invalid, key, typeInvalid, type ValidateOptions } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isCIDR, isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { QUANTITY_ERROR } from './resources.js';
import { isSet, type Obj, objects, str, strings, typed } from './shape.js';
import { validateTaints } from './taints.js';

const CIDR_ERROR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

function validateCIDR(out: FieldCause[], value: string, field: string): void {
  if (value && !isCIDR(value)) out.push(invalid(field, value, CIDR_ERROR));
}

// validateResourceList checks a capacity/allocatable map: resource names and non-negative quantities.
function validateResourceList(out: FieldCause[], list: unknown, field: string): void {
  if (!typed(out, list, field, 'object')) return;
  for (const [name, q] of Object.entries(list as Obj)) {
    const f = key(field, name);
    for (const msg of isQualifiedName(name)) out.push(invalid(f, name, msg));
    if (typeof q !== 'string' && typeof q !== 'number') out.push(typeInvalid(f, q, 'string'));
    else if (!isQuantity(q)) out.push(invalid(f, q, QUANTITY_ERROR));
    else if ((parseQuantity(q) as number) < 0) out.push(invalid(f, String(q), 'must be greater than or equal to 0'));
  }
}

export function validateNode(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  if (isSet(obj.spec) && typed(out, obj.spec, 'spec', 'object')) {
    const spec = obj.spec as Obj;
    typed(out, spec.unschedulable, 'spec.unschedulable', 'boolean');
    validateTaints(out, spec.taints, 'spec.taints');
    validateCIDR(out, str(out, spec.podCIDR, 'spec.podCIDR'), 'spec.podCIDR');
    for (const [cidr, i] of strings(out, spec.podCIDRs, 'spec.podCIDRs')) validateCIDR(out, cidr, at('spec.podCIDRs', i));
    str(out, spec.providerID, 'spec.providerID');
  }
  if (isSet(obj.status) && typed(out, obj.status, 'status', 'object')) {
    const status = obj.status as Obj;
    validateResourceList(out, status.capacity, 'status.capacity');
    validateResourceList(out, status.allocatable, 'status.allocatable');
    for (const [c, path] of objects(out, status.conditions, 'status.conditions')) str(out, c.type, child(path, 'type'));
    for (const [a, path] of objects(out, status.addresses, 'status.addresses')) {
      str(out, a.type, child(path, 'type'));
      str(out, a.address, child(path, 'address'));
    }
  }
  return out;
}

