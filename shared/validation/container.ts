// container: one container of a pod spec: name, image, ports, env, resources, mounts, probes.
import { child, duplicate, type FieldCause, forbidden, invalid, notFound, notSupported, required } from './field.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isValidPortName } from './names.js';
import { validatePortNum, validateProtocol } from './ports.js';
import { validateProbe } from './probe.js';
import { validateResources } from './resources.js';
import { isSet, type Obj, objects, str, strings, typed } from './shape.js';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const ENV_FIELD_PATHS = [
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName',
  'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];

/** ContainerContext is what a container is checked against: the pod's volumes and container names. */
export interface ContainerContext {
  volumes: ReadonlySet<string>;
  names: Set<string>;
  init: boolean;
}

function validatePorts(out: FieldCause[], ports: unknown, field: string): void {
  const names = new Set<string>();
  for (const [p, path] of objects(out, ports, field)) {
    const name = str(out, p.name, child(path, 'name'));
    if (name) {
      const errs = isValidPortName(name);
      for (const msg of errs) out.push(invalid(child(path, 'name'), name, msg));
      if (!errs.length && names.has(name)) out.push(duplicate(child(path, 'name'), name));
      names.add(name);
    }
    if (!isSet(p.containerPort)) out.push(required(child(path, 'containerPort'), ''));
    else validatePortNum(out, p.containerPort, child(path, 'containerPort'));
    if (isSet(p.hostPort) && p.hostPort !== 0) validatePortNum(out, p.hostPort, child(path, 'hostPort'));
    validateProtocol(out, p.protocol, child(path, 'protocol'));
  }
}

// validateKeyRef checks a configMapKeyRef/secretKeyRef.
function validateKeyRef(out: FieldCause[], ref: Obj, field: string): void {
  const name = str(out, ref.name, child(field, 'name'));
  if (name) for (const msg of isDNS1123Subdomain(name)) out.push(invalid(child(field, 'name'), name, msg));
  const k = str(out, ref.key, child(field, 'key'));
  if (!k) out.push(required(child(field, 'key'), ''));
  else for (const msg of isConfigMapKey(k)) out.push(invalid(child(field, 'key'), k, msg));
}

function validateValueFrom(out: FieldCause[], env: Obj, field: string): void {
  if (!typed(out, env.valueFrom, field, 'object')) return;
  const from = env.valueFrom as Obj;
  const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => isSet(from[s]));
  for (const s of sources) {
    if (!typed(out, from[s], child(field, s), 'object')) continue;
    const ref = from[s] as Obj;
    if (s === 'fieldRef') {
      const path = str(out, ref.fieldPath, child(field, s, 'fieldPath'));
      const base = path.replace(/\[.*$/, '');
      if (!path) out.push(required(child(field, s, 'fieldPath'), ''));
      else if (!ENV_FIELD_PATHS.includes(base)) out.push(notSupported(child(field, s, 'fieldPath'), path, ENV_FIELD_PATHS));
    } else if (s === 'resourceFieldRef') {
      if (!str(out, ref.resource, child(field, s, 'resource'))) out.push(required(child(field, s, 'resource'), ''));
    } else {
      validateKeyRef(out, ref, child(field, s));
    }
  }
  if (sources.length === 0) out.push(invalid(field, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (typeof env.value === 'string' && env.value !== '') out.push(invalid(field, '', 'may not be specified when `value` is not empty'));
  else if (sources.length > 1) out.push(invalid(field, '', 'may not have more than one field specified at a time'));
}

function validateEnv(out: FieldCause[], env: unknown, field: string): void {
  for (const [e, path] of objects(out, env, field)) {
    const name = str(out, e.name, child(path, 'name'));
    if (!name) out.push(required(child(path, 'name'), ''));
    else for (const msg of isEnvVarName(name)) out.push(invalid(child(path, 'name'), name, msg));
    str(out, e.value, child(path, 'value'));
    validateValueFrom(out, e, child(path, 'valueFrom'));
  }
}

function validateEnvFrom(out: FieldCause[], envFrom: unknown, field: string): void {
  for (const [e, path] of objects(out, envFrom, field)) {
    str(out, e.prefix, child(path, 'prefix'));
    const sources = ['configMapRef', 'secretRef'].filter((s) => isSet(e[s]));
    if (sources.length === 0) out.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources.length > 1) out.push(forbidden(path, 'may not have more than one field specified at a time'));
    for (const s of sources) {
      if (typed(out, e[s], child(path, s), 'object') && !str(out, e[s].name, child(path, s, 'name'))) out.push(required(child(path, s, 'name'), ''));
    }
  }
}

function validateMounts(out: FieldCause[], mounts: unknown, field: string, volumes: ReadonlySet<string>): void {
  const paths = new Set<string>();
  for (const [m, path] of objects(out, mounts, field)) {
    const name = str(out, m.name, child(path, 'name'));
    if (!name) out.push(required(child(path, 'name'), ''));
    else if (!volumes.has(name)) out.push(notFound(child(path, 'name'), name));
    const mountPath = str(out, m.mountPath, child(path, 'mountPath'));
    if (!mountPath) out.push(required(child(path, 'mountPath'), ''));
    else if (paths.has(mountPath)) out.push(invalid(child(path, 'mountPath'), mountPath, 'must be unique'));
    paths.add(mountPath);
    typed(out, m.readOnly, child(path, 'readOnly'), 'boolean');
    str(out, m.subPath, child(path, 'subPath'));
  }
}

export function validateContainer(out: FieldCause[], c: Obj, path: string, ctx: ContainerContext): void {
  const name = str(out, c.name, child(path, 'name'));
  if (!name) out.push(required(child(path, 'name'), ''));
  else {
    for (const msg of isDNS1123Label(name)) out.push(invalid(child(path, 'name'), name, msg));
    if (ctx.names.has(name)) out.push(duplicate(child(path, 'name'), name));
    ctx.names.add(name);
  }
  const image = str(out, c.image, child(path, 'image'));
  if (!image) out.push(required(child(path, 'image'), ''));
  else if (image.trim() !== image) out.push(invalid(child(path, 'image'), image, 'must not have leading or trailing whitespace'));
  const pull = str(out, c.imagePullPolicy, child(path, 'imagePullPolicy'));
  if (pull && !PULL_POLICIES.includes(pull)) out.push(notSupported(child(path, 'imagePullPolicy'), pull, PULL_POLICIES));
  strings(out, c.command, child(path, 'command'));
  strings(out, c.args, child(path, 'args'));
  str(out, c.workingDir, child(path, 'workingDir'));
  validatePorts(out, c.ports, child(path, 'ports'));
  validateEnv(out, c.env, child(path, 'env'));
  validateEnvFrom(out, c.envFrom, child(path, 'envFrom'));
  validateResources(out, c.resources, child(path, 'resources'));
  validateMounts(out, c.volumeMounts, child(path, 'volumeMounts'), ctx.volumes);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    // Init containers run to completion, so probes make sense only for restartable (sidecar) ones.
    if (ctx.init && isSet(c[probe]) && c.restartPolicy !== 'Always') {
      out.push(forbidden(child(path, probe), 'may not be set for init containers without restartPolicy=Always'));
    } else {
      validateProbe(out, c[probe], child(path, probe), probe !== 'readinessProbe');
    }
  }
  typed(out, c.securityContext, child(path, 'securityContext'), 'object');
  for (const flag of ['stdin', 'stdinOnce', 'tty'] as const) typed(out, c[flag], child(path, flag), 'boolean');
}
