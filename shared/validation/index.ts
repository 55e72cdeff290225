// validation: pure, Kubernetes-compatible validation of API objects. validate(kind, obj) returns
// StatusCause-shaped causes (empty when valid); the API turns a non-empty list into a 422
// Invalid Status, which kubectl prints as `The Deployment "web" is invalid: * spec.selector: …`.
// Validators never throw, whatever shape the body has.
import { validateConfigMap } from './configmap.js';
import { validateDeployment } from './deployment.js';
import { validateEndpointSlice } from './endpointslice.js';
import { validateEvent } from './event.js';
import { type FieldCause, typeInvalid, type ValidateOptions } from './field.js';
import { validateLease } from './lease.js';
import { validateNamespace } from './namespace.js';
import { validateNode } from './node.js';
import { validatePodDisruptionBudget } from './pdb.js';
import { validatePod } from './pod.js';
import { validateReplicaSet } from './replicaset.js';
import { validateSecret } from './secret.js';
import { validateService } from './service.js';
import { isObject, type Obj } from './shape.js';

export type { CauseReason, FieldCause, ValidateOptions } from './field.js';

export type KindValidator = (obj: Obj, opts: ValidateOptions) => FieldCause[];

/** VALIDATORS is the registry of kinds with validation; other kinds are accepted as they are. */
export const VALIDATORS: Readonly<Record<string, KindValidator>> = {
  ConfigMap: validateConfigMap,
  Deployment: validateDeployment,
  EndpointSlice: validateEndpointSlice,
  Event: validateEvent,
  Lease: validateLease,
  Namespace: validateNamespace,
  Node: validateNode,
  Pod: validatePod,
  PodDisruptionBudget: validatePodDisruptionBudget,
  ReplicaSet: validateReplicaSet,
  Secret: validateSecret,
  Service: validateService,
};

/** validate checks obj as a `kind`; opts.update marks an update and opts.old enables immutability checks. */
export function validate(kind: string, obj: any, opts: ValidateOptions = {}): FieldCause[] {
  const validator = Object.hasOwn(VALIDATORS, kind) ? VALIDATORS[kind] : undefined;
  if (!validator) return [];
  if (!isObject(obj)) return [typeInvalid('', obj, 'object')];
  return validator(obj, opts);
}
