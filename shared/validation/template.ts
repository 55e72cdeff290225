// template: what Deployments and ReplicaSets share: a required, non-empty selector that must
// select the pod template's labels, replicas >= 0, and a template whose pods restart Always.
import { labelSelectorFromObject, matchLabelSelector, SelectorError } from '../selectors.js';
import { child, type FieldCause, forbidden, goStringMap, invalid, notSupported, required } from './field.js';
import { goLabelSelector, selectorIsEmpty, validateAnnotations, validateLabels, validateLabelSelector } from './labels.js';
import { validatePodSpec } from './pod.js';
import { deepEqual, isObject, isSet, nonNegative, type Obj, typed } from './shape.js';

// selectorUsable reports whether Kubernetes could turn the selector into a labels.Selector.
function selectorUsable(sel: Obj): boolean {
  try {
    labelSelectorFromObject(sel);
    return true;
  } catch (e) {
    if (e instanceof SelectorError) return false;
    throw e;
  }
}

function validateTemplate(out: FieldCause[], template: unknown, selector: unknown, path: string): void {
  if (isSet(template) && !typed(out, template, path, 'object')) return;
  const t: Obj = isObject(template) ? template : {};
  const metaPath = child(path, 'metadata');
  const meta: Obj = typed(out, t.metadata, metaPath, 'object') ? t.metadata : {};
  validateLabels(out, meta.labels, child(metaPath, 'labels'));
  validateAnnotations(out, meta.annotations, child(metaPath, 'annotations'));
  const labels = isObject(meta.labels) ? meta.labels : undefined;
  // An unset selector selects nothing, so it fails this check too, exactly as in Kubernetes.
  const selects = isObject(selector) && selectorIsEmpty(selector) ? true : matchLabelSelector(isObject(selector) ? selector : undefined, labels);
  if (!selects) out.push(invalid(child(metaPath, 'labels'), goStringMap(labels), '`selector` does not match template `labels`'));
  validatePodSpec(out, t.spec, child(path, 'spec'));
  const spec: Obj = isObject(t.spec) ? t.spec : {};
  if (typeof spec.restartPolicy === 'string' && spec.restartPolicy !== 'Always') {
    out.push(notSupported(child(path, 'spec', 'restartPolicy'), spec.restartPolicy, ['Always']));
  }
  if (isSet(spec.activeDeadlineSeconds)) out.push(forbidden(child(path, 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicaSet is not Supported'));
}

/** validateReplicatedSpec checks replicas, minReadySeconds, selector and template of a spec. */
export function validateReplicatedSpec(out: FieldCause[], spec: Obj, path: string): void {
  nonNegative(out, spec.replicas, child(path, 'replicas'));
  nonNegative(out, spec.minReadySeconds, child(path, 'minReadySeconds'));
  const selPath = child(path, 'selector');
  const sel = spec.selector;
  if (!isSet(sel)) {
    out.push(required(selPath, ''));
  } else if (typed(out, sel, selPath, 'object')) {
    validateLabelSelector(out, sel, selPath);
    if (selectorIsEmpty(sel)) out.push(invalid(selPath, goLabelSelector(sel), 'empty selector is invalid for deployment'));
    if (!selectorUsable(sel)) {
      out.push(invalid(selPath, goLabelSelector(sel), 'invalid label selector'));
      return;
    }
  } else {
    return;
  }
  validateTemplate(out, spec.template, sel, child(path, 'template'));
}

/** validateSelectorUpdate enforces apps/v1's immutable selector. */
export function validateSelectorUpdate(out: FieldCause[], spec: Obj, old: unknown, path: string): void {
  const oldSpec = isObject(old) && isObject(old.spec) ? old.spec : undefined;
  if (oldSpec && isSet(oldSpec.selector) && !deepEqual(spec.selector, oldSpec.selector)) {
    out.push(invalid(child(path, 'selector'), goLabelSelector(spec.selector), 'field is immutable'));
  }
}
