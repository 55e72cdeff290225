// pod: PodSpec validation (also used for the templates of Deployments and ReplicaSets) and the
// Pod kind itself, with Kubernetes' rule that a running pod's spec is mostly immutable.
import { validateContainer } from './container.js';
import { child, type FieldCause, forbidden, invalid, notSupported, required, type ValidateOptions } from './field.js';
import { validateLabels } from './labels.js';
import { validateObjectMeta } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, nameIsDNSSubdomain } from './names.js';
import { deepEqual, int, isObject, isSet, nonNegative, type Obj, objects, str, typed } from './shape.js';
import { validateTolerations } from './taints.js';
import { validateVolumes } from './volumes.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

// validateDNSName checks an optional field that must be a DNS name when set.
function validateDNSName(out: FieldCause[], v: unknown, field: string, check: (s: string) => string[]): void {
  const s = str(out, v, field);
  if (s) for (const msg of check(s)) out.push(invalid(field, s, msg));
}

export function validatePodSpec(out: FieldCause[], spec: unknown, path: string): void {
  if (spec !== undefined && spec !== null && !typed(out, spec, path, 'object')) return;
  const s: Obj = isObject(spec) ? spec : {};
  const volumes = validateVolumes(out, s.volumes, child(path, 'volumes'));
  const names = new Set<string>();
  for (const [c, p] of objects(out, s.initContainers, child(path, 'initContainers'))) validateContainer(out, c, p, { volumes, names, init: true });
  const containers = objects(out, s.containers, child(path, 'containers'));
  // A wrong type was reported by objects(); only a missing or empty list is "required".
  if (!isSet(s.containers) || (Array.isArray(s.containers) && s.containers.length === 0)) out.push(required(child(path, 'containers'), ''));
  for (const [c, p] of containers) validateContainer(out, c, p, { volumes, names, init: false });
  objects(out, s.ephemeralContainers, child(path, 'ephemeralContainers'));
  const restart = str(out, s.restartPolicy, child(path, 'restartPolicy'));
  if (restart && !RESTART_POLICIES.includes(restart)) out.push(notSupported(child(path, 'restartPolicy'), restart, RESTART_POLICIES));
  const dns = str(out, s.dnsPolicy, child(path, 'dnsPolicy'));
  if (dns && !DNS_POLICIES.includes(dns)) out.push(notSupported(child(path, 'dnsPolicy'), dns, DNS_POLICIES));
  validateLabels(out, s.nodeSelector, child(path, 'nodeSelector'));
  validateDNSName(out, s.nodeName, child(path, 'nodeName'), isDNS1123Subdomain);
  validateDNSName(out, s.serviceAccountName, child(path, 'serviceAccountName'), isDNS1123Subdomain);
  validateDNSName(out, s.hostname, child(path, 'hostname'), isDNS1123Label);
  validateDNSName(out, s.subdomain, child(path, 'subdomain'), isDNS1123Label);
  str(out, s.schedulerName, child(path, 'schedulerName'));
  str(out, s.priorityClassName, child(path, 'priorityClassName'));
  nonNegative(out, s.terminationGracePeriodSeconds, child(path, 'terminationGracePeriodSeconds'));
  const deadline = int(out, s.activeDeadlineSeconds, child(path, 'activeDeadlineSeconds'));
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    out.push(invalid(child(path, 'activeDeadlineSeconds'), deadline, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  for (const flag of ['hostNetwork', 'hostPID', 'hostIPC', 'automountServiceAccountToken', 'enableServiceLinks'] as const) {
    typed(out, s[flag], child(path, flag), 'boolean');
  }
  int(out, s.priority, child(path, 'priority'));
  validateTolerations(out, s.tolerations, child(path, 'tolerations'));
  for (const [ref, p] of objects(out, s.imagePullSecrets, child(path, 'imagePullSecrets'))) str(out, ref.name, child(p, 'name'));
  typed(out, s.affinity, child(path, 'affinity'), 'object');
  typed(out, s.securityContext, child(path, 'securityContext'), 'object');
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

// mutableView blanks the fields a pod update may change, so the rest can be compared.
function mutableView(spec: Obj, old: Obj): Obj {
  const view: Obj = { ...spec, activeDeadlineSeconds: undefined, tolerations: undefined, terminationGracePeriodSeconds: undefined };
  for (const list of ['containers', 'initContainers'] as const) {
    if (Array.isArray(spec[list])) view[list] = spec[list].map((c: unknown) => (isObject(c) ? { ...c, image: undefined } : c));
  }
  // Bramble lets a binding set nodeName once on an unscheduled pod.
  if (!old.nodeName) view.nodeName = undefined;
  return view;
}

export function validatePod(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  validatePodSpec(out, obj.spec, 'spec');
  const old = isObject(opts.old) ? opts.old : undefined;
  if (opts.update && old && isObject(old.spec) && isObject(obj.spec)) {
    if (!deepEqual(mutableView(obj.spec, old.spec), mutableView(old.spec, old.spec))) out.push(forbidden('spec', POD_UPDATE_FORBIDDEN));
  }
  return out;
}
