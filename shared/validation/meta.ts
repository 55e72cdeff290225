// meta: ObjectMeta validation shared by every kind (ValidateObjectMeta in Kubernetes). Whether a
// namespaced kind has a namespace is the API's business (it comes from the URL), so it is not
// required here; a namespace that is given must still be a valid name.
import { child, type FieldCause, invalid, required, type ValidateOptions } from './field.js';
import { validateAnnotations, validateLabels } from './labels.js';
import { isDNS1123Label, isQualifiedName, type NameValidator } from './names.js';
import { isObject, nonNegative, type Obj, objects, str, strings, typed } from './shape.js';

export interface MetaOptions extends ValidateOptions {
  nameFn: NameValidator;
  /** path of the metadata ("metadata", or "spec.template.metadata" for templates). */
  path?: string;
}

export function validateObjectMeta(out: FieldCause[], meta: unknown, opts: MetaOptions): void {
  const path = opts.path ?? 'metadata';
  if (meta !== undefined && meta !== null && !typed(out, meta, path, 'object')) return;
  const m: Obj = isObject(meta) ? meta : {};
  const name = str(out, m.name, child(path, 'name'));
  const generateName = str(out, m.generateName, child(path, 'generateName'));
  if (generateName) {
    for (const msg of opts.nameFn(generateName, true)) out.push(invalid(child(path, 'generateName'), generateName, msg));
  }
  if (!name) {
    // The API fills name from generateName before validating, so only both empty is an error.
    if (!generateName) out.push(required(child(path, 'name'), 'name or generateName is required'));
  } else {
    for (const msg of opts.nameFn(name, false)) out.push(invalid(child(path, 'name'), name, msg));
  }
  const namespace = str(out, m.namespace, child(path, 'namespace'));
  if (namespace) for (const msg of isDNS1123Label(namespace)) out.push(invalid(child(path, 'namespace'), namespace, msg));
  nonNegative(out, m.generation, child(path, 'generation'));
  validateLabels(out, m.labels, child(path, 'labels'));
  validateAnnotations(out, m.annotations, child(path, 'annotations'));
  validateOwnerReferences(out, m.ownerReferences, child(path, 'ownerReferences'));
  for (const [f] of strings(out, m.finalizers, child(path, 'finalizers'))) {
    for (const msg of isQualifiedName(f)) out.push(invalid(child(path, 'finalizers'), f, msg));
  }
  if (opts.update && isObject(opts.old)) validateMetaUpdate(out, m, (opts.old as Obj).metadata, path);
}

// validateOwnerReferences reports on the list field, not the item, exactly as Kubernetes does.
function validateOwnerReferences(out: FieldCause[], refs: unknown, field: string): void {
  const controllers: string[] = [];
  for (const [ref, path] of objects(out, refs, field)) {
    const apiVersion = str(out, ref.apiVersion, child(path, 'apiVersion'));
    const kind = str(out, ref.kind, child(path, 'kind'));
    const name = str(out, ref.name, child(path, 'name'));
    const uid = str(out, ref.uid, child(path, 'uid'));
    typed(out, ref.controller, child(path, 'controller'), 'boolean');
    typed(out, ref.blockOwnerDeletion, child(path, 'blockOwnerDeletion'), 'boolean');
    if (!apiVersion) out.push(invalid(child(field, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!kind) out.push(invalid(child(field, 'kind'), kind, 'kind must not be empty'));
    if (!name) out.push(invalid(child(field, 'name'), name, 'name must not be empty'));
    if (!uid) out.push(invalid(child(field, 'uid'), uid, 'uid must not be empty'));
    if (ref.controller === true) controllers.push(`${kind}/${name}`);
  }
  if (controllers.length > 1) {
    out.push(
      invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`),
    );
  }
}

// validateMetaUpdate enforces the identity fields an update may not change.
function validateMetaUpdate(out: FieldCause[], m: Obj, old: unknown, path: string): void {
  if (!isObject(old)) return;
  for (const f of ['name', 'namespace', 'uid'] as const) {
    if (typeof m[f] === 'string' && typeof old[f] === 'string' && m[f] && m[f] !== old[f]) {
      out.push(invalid(child(path, f), m[f], 'field is immutable'));
    }
  }
}
