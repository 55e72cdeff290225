// endpointslice: discovery.k8s.io/v1 EndpointSlice — the address type, at most 1000 endpoints of
// 1 to 100 addresses of that type, at most 100 ports with unique names.
import { ipToInt } from '../net/cidr.js';
import { at, child, duplicate, type FieldCause, invalid, notSupported, required, type ValidateOptions } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isDNS1123Label, isValidPortNum, nameIsDNSSubdomain } from './names.js';
import { int, isSet, objects, str, strings, typed } from './shape.js';
import type { Obj } from './shape.js';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;

function validateAddress(out: FieldCause[], type: string, ip: string, field: string): void {
  if (type === 'IPv4' && ipToInt(ip) === undefined) out.push(invalid(field, ip, 'must be a valid IPv4 address'));
  if (type === 'IPv6' && !ip.includes(':')) out.push(invalid(field, ip, 'must be a valid IPv6 address'));
  if (type === 'FQDN') for (const msg of isDNS1123Label(ip.split('.')[0] ?? '')) out.push(invalid(field, ip, msg));
}

function validateEndpoints(out: FieldCause[], type: string, v: unknown): void {
  const items = objects(out, v, 'endpoints');
  if (items.length > MAX_ENDPOINTS) out.push(invalid('endpoints', items.length, `must have at most ${MAX_ENDPOINTS} items`));
  for (const [ep, path] of items) {
    const addresses = strings(out, ep.addresses, child(path, 'addresses'));
    if (addresses.length === 0) out.push(required(child(path, 'addresses'), 'must contain at least 1 address'));
    if (addresses.length > MAX_ADDRESSES) out.push(invalid(child(path, 'addresses'), addresses.length, `must have at most ${MAX_ADDRESSES} items`));
    for (const [ip, i] of addresses) validateAddress(out, type, ip, at(child(path, 'addresses'), i));
    if (typed(out, ep.conditions, child(path, 'conditions'), 'object')) {
      for (const c of ['ready', 'serving', 'terminating']) typed(out, ep.conditions[c], child(path, 'conditions', c), 'boolean');
    }
    str(out, ep.nodeName, child(path, 'nodeName'));
    str(out, ep.hostname, child(path, 'hostname'));
  }
}

function validatePorts(out: FieldCause[], v: unknown): void {
  const items = objects(out, v, 'ports');
  if (items.length > MAX_PORTS) out.push(invalid('ports', items.length, `must have at most ${MAX_PORTS} items`));
  const names = new Set<string>();
  for (const [p, path] of items) {
    const name = str(out, p.name, child(path, 'name'));
    if (name) for (const msg of isDNS1123Label(name)) out.push(invalid(child(path, 'name'), name, msg));
    if (names.has(name)) out.push(duplicate(child(path, 'name'), name));
    names.add(name);
    const port = int(out, p.port, child(path, 'port'));
    if (port !== undefined) for (const msg of isValidPortNum(port)) out.push(invalid(child(path, 'port'), port, msg));
    const protocol = str(out, p.protocol, child(path, 'protocol'));
    if (protocol && !PROTOCOLS.includes(protocol)) out.push(notSupported(child(path, 'protocol'), protocol, PROTOCOLS));
  }
}

export function validateEndpointSlice(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  const type = str(out, obj.addressType, 'addressType');
  if (!type) out.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) out.push(notSupported('addressType', type, ADDRESS_TYPES));
  if (isSet(obj.endpoints)) validateEndpoints(out, type, obj.endpoints);
  if (isSet(obj.ports)) validatePorts(out, obj.ports);
  return out;
}
