// service: v1 Service. Names are DNS-1035 labels (they become DNS names and env vars). Ports
// are required unless the service is headless or ExternalName; (protocol, port) pairs and
// names are unique; nodePorts are only for NodePort/LoadBalancer and fall in 30000-32767.
import { child, duplicate, type FieldCause, forbidden, invalid, notSupported, required, type ValidateOptions } from './field.js';
import { validateLabels } from './labels.js';
import { validateObjectMeta } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, nameIsDNS1035Label } from './names.js';
import { validatePortNum, validatePortNumOrName, validateProtocol } from './ports.js';
import { int, isObject, isSet, type Obj, objects, str, typed } from './shape.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

function validatePorts(out: FieldCause[], spec: Obj, type: string): void {
  const ports = objects(out, spec.ports, 'spec.ports');
  const names = new Set<string>();
  const pairs = new Set<string>();
  const nodePorts = new Set<string>();
  for (const [p, path] of ports) {
    const name = str(out, p.name, child(path, 'name'));
    if (!name && ports.length > 1) out.push(required(child(path, 'name'), ''));
    else if (name) {
      for (const msg of isDNS1123Label(name)) out.push(invalid(child(path, 'name'), name, msg));
      if (names.has(name)) out.push(duplicate(child(path, 'name'), name));
      names.add(name);
    }
    validatePortNum(out, p.port, child(path, 'port'));
    validateProtocol(out, p.protocol, child(path, 'protocol'));
    if (isSet(p.targetPort)) validatePortNumOrName(out, p.targetPort, child(path, 'targetPort'));
    const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
    const pair = `${protocol}/${p.port}`;
    if (pairs.has(pair)) out.push(duplicate(path, { port: p.port, protocol }));
    pairs.add(pair);
    const nodePort = int(out, p.nodePort, child(path, 'nodePort'));
    if (!nodePort) continue;
    if (type === 'ClusterIP' || type === 'ExternalName') {
      out.push(forbidden(child(path, 'nodePort'), `may not be used when \`type\` is '${type}'`));
    } else if (nodePort < NODE_PORT_RANGE.min || nodePort > NODE_PORT_RANGE.max) {
      out.push(
        invalid(child(path, 'nodePort'), nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`),
      );
    }
    const np = `${protocol}/${nodePort}`;
    if (nodePorts.has(np)) out.push(duplicate(child(path, 'nodePort'), nodePort));
    nodePorts.add(np);
  }
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && !headless && type !== 'ExternalName' && !(isSet(spec.ports) && !Array.isArray(spec.ports))) {
    out.push(required('spec.ports', ''));
  }
}

function validateServiceSpec(out: FieldCause[], spec: Obj): void {
  const type = typed(out, spec.type, 'spec.type', 'string') ? spec.type : 'ClusterIP';
  if (!TYPES.includes(type)) out.push(notSupported('spec.type', type, TYPES));
  validatePorts(out, spec, type);
  validateLabels(out, spec.selector, 'spec.selector');
  const clusterIP = str(out, spec.clusterIP, 'spec.clusterIP');
  if (type === 'ExternalName') {
    if (clusterIP && clusterIP !== 'None') out.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const cname = str(out, spec.externalName, 'spec.externalName').replace(/\.$/, '');
    if (!cname) out.push(required('spec.externalName', ''));
    else for (const msg of isDNS1123Subdomain(cname)) out.push(invalid('spec.externalName', cname, msg));
  }
  const affinity = str(out, spec.sessionAffinity, 'spec.sessionAffinity');
  if (affinity && !AFFINITIES.includes(affinity)) out.push(notSupported('spec.sessionAffinity', affinity, AFFINITIES));
  const policy = str(out, spec.externalTrafficPolicy, 'spec.externalTrafficPolicy');
  if (policy && policy !== 'Cluster' && policy !== 'Local') out.push(notSupported('spec.externalTrafficPolicy', policy, ['Cluster', 'Local']));
  typed(out, spec.publishNotReadyAddresses, 'spec.publishNotReadyAddresses', 'boolean');
}

export function validateService(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNS1035Label });
  if (isSet(obj.spec) && !typed(out, obj.spec, 'spec', 'object')) return out;
  const spec: Obj = isObject(obj.spec) ? obj.spec : {};
  validateServiceSpec(out, spec);
  const old = isObject(opts.old) && isObject(opts.old.spec) ? opts.old.spec : undefined;
  // clusterIP is allocated once; only a switch to or from ExternalName may change it.
  const changed = old?.clusterIP && spec.clusterIP && spec.clusterIP !== old.clusterIP;
  if (opts.update && changed && spec.type !== 'ExternalName' && old?.type !== 'ExternalName') {
    out.push(invalid('spec.clusterIPs[0]', spec.clusterIP, 'may not change once set'));
  }
  return out;
}
