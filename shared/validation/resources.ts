// resources: container resource requests and limits. Quantities must parse, be non-negative,
// name a known resource, and requests may not exceed limits (extended resources, which cannot
// be overcommitted, must request exactly their limit).
import { isQuantity, parseQuantity } from '../quantity.js';
import { child, type FieldCause, invalid, key, required, typeInvalid } from './field.js';
import { isQualifiedName } from './names.js';
import { type Obj, typed } from './shape.js';

export const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const STANDARD = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (name: string) => name.startsWith('hugepages-');
// isNative: no domain, or a kubernetes.io domain; only native non-hugepage resources overcommit.
const isNative = (name: string) => !name.includes('/') || name.split('/')[0].endsWith('kubernetes.io');
const overcommits = (name: string) => isNative(name) && !isHugePages(name);

interface Amount {
  text: string;
  value: number;
}

// quantities reads one resource list, reporting bad names and values, keyed by resource name.
function quantities(out: FieldCause[], list: unknown, field: string): Map<string, Amount> {
  const found = new Map<string, Amount>();
  if (!typed(out, list, field, 'object')) return found;
  for (const [name, q] of Object.entries(list as Obj)) {
    const f = key(field, name);
    if (!name.includes('/')) {
      if (!STANDARD.has(name) && !isHugePages(name)) out.push(invalid(f, name, 'must be a standard resource for containers'));
    } else {
      for (const msg of isQualifiedName(name)) out.push(invalid(f, name, msg));
    }
    if (typeof q !== 'string' && typeof q !== 'number') {
      out.push(typeInvalid(f, q, 'string'));
      continue;
    }
    if (!isQuantity(q)) {
      out.push(invalid(f, q, QUANTITY_ERROR));
      continue;
    }
    const value = parseQuantity(q) as number;
    const text = String(q);
    if (value < 0) out.push(invalid(f, text, 'must be greater than or equal to 0'));
    else if (!isNative(name) && !Number.isInteger(value)) out.push(invalid(f, text, 'must be an integer'));
    found.set(name, { text, value });
  }
  return found;
}

export function validateResources(out: FieldCause[], resources: unknown, field: string): void {
  if (!typed(out, resources, field, 'object')) return;
  const r = resources as Obj;
  const reqPath = child(field, 'requests');
  const limPath = child(field, 'limits');
  const limits = quantities(out, r.limits, limPath);
  const requests = quantities(out, r.requests, reqPath);
  for (const [name, req] of requests) {
    const lim = limits.get(name);
    if (!lim) {
      if (!overcommits(name)) out.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    } else if (!overcommits(name) && req.value !== lim.value) {
      out.push(invalid(reqPath, req.text, `must be equal to ${name} limit of ${lim.text}`));
    } else if (req.value > lim.value) {
      out.push(invalid(reqPath, req.text, `must be less than or equal to ${name} limit of ${lim.text}`));
    }
  }
}
