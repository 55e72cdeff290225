// event: v1 Event (the core/v1 API kubectl describe reads). An event must say what it is about,
// in the event's own namespace; events with an eventTime (the events.k8s.io style) must also
// name their reporter, action and reason, within Kubernetes' length limits.
import { child, type FieldCause, invalid, notSupported, required, tooLong, type ValidateOptions } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { isObject, nonNegative, type Obj, str, typed } from './shape.js';

const TYPES = ['Normal', 'Warning'];
const LIMITS = { reportingInstance: 128, action: 128, reason: 128, message: 1024 } as const;

function checkLength(out: FieldCause[], value: string, field: keyof typeof LIMITS): void {
  if (value.length > LIMITS[field]) out.push(tooLong(field, LIMITS[field]));
}

export function validateEvent(obj: Obj, opts: ValidateOptions): FieldCause[] {
  const out: FieldCause[] = [];
  validateObjectMeta(out, obj.metadata, { ...opts, nameFn: nameIsDNSSubdomain });
  const namespace = isObject(obj.metadata) && typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : '';
  if (!typed(out, obj.involvedObject, 'involvedObject', 'object')) {
    if (obj.involvedObject === undefined || obj.involvedObject === null) out.push(required('involvedObject', ''));
  } else {
    const io = obj.involvedObject as Obj;
    for (const f of ['kind', 'name', 'namespace', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const) str(out, io[f], child('involvedObject', f));
    const ioNamespace = typeof io.namespace === 'string' ? io.namespace : '';
    // The API fills metadata.namespace from the URL; until it has, there is nothing to compare.
    const mismatch = ioNamespace ? namespace !== ioNamespace : namespace !== '' && namespace !== 'default';
    if (namespace && mismatch) out.push(invalid('involvedObject.namespace', ioNamespace, 'does not match event.namespace'));
  }
  const type = str(out, obj.type, 'type');
  if (type && !TYPES.includes(type)) out.push(notSupported('type', type, TYPES));
  nonNegative(out, obj.count, 'count');
  const reason = str(out, obj.reason, 'reason');
  const message = str(out, obj.message, 'message');
  for (const f of ['firstTimestamp', 'lastTimestamp', 'eventTime'] as const) str(out, obj[f], f);
  if (typed(out, obj.source, 'source', 'object')) str(out, obj.source.component, 'source.component');
  if (typeof obj.eventTime === 'string' && obj.eventTime) {
    const controller = str(out, obj.reportingComponent, 'reportingComponent');
    if (!controller) out.push(required('reportingComponent', ''));
    else for (const msg of isQualifiedName(controller)) out.push(invalid('reportingComponent', controller, msg));
    const instance = str(out, obj.reportingInstance, 'reportingInstance');
    if (!instance) out.push(required('reportingInstance', ''));
    checkLength(out, instance, 'reportingInstance');
    const action = str(out, obj.action, 'action');
    if (!action) out.push(required('action', ''));
    checkLength(out, action, 'action');
    if (!reason) out.push(required('reason', ''));
    checkLength(out, reason, 'reason');
    checkLength(out, message, 'message');
  }
  return out;
}
