// strategic-merge-patch: application/strategic-merge-patch+json for the built-in kinds, as
// kubectl apply/set/rollout send it. Maps merge recursively and null deletes a key (as in a
// merge patch), but lists that have a merge key (merge-keys.ts) merge item by item instead of
// being replaced. The directives, none of which survive into the result:
//
//   {"$patch": "replace", …}          in a map: the map becomes the rest of this patch map
//   {"$patch": "delete"}              in a map: the map is removed (Kubernetes leaves {})
//   [{"$patch": "delete", name: x}]   in a merge list: the item whose merge key is x goes
//   [{"$patch": "replace"}, …]        in a list: the list becomes the other items
//   "$setElementOrder/<list>": […]    the order of the merged list (server-only items interleave)
//   "$retainKeys": [k…]               keys of this map to keep before merging; others are cleared
//   "$deleteFromPrimitiveList/<list>" values to remove from a list of scalars
//
// The algorithm mirrors mergeMap/mergeSlice of k8s.io/apimachinery/pkg/util/strategicpatch.
import { type KeyOf, orderMerged } from './element-order.js';
import { PatchError } from './errors.js';
import { listStrategyFor } from './merge-keys.js';

export { type ListStrategy, listStrategyFor, mergeKeyFor } from './merge-keys.js';

type Obj = Record<string, unknown>;
type Path = readonly string[];

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/** DELETED is what merging a {"$patch":"delete"} map yields: the caller drops the key. */
const DELETED = Symbol('deleted');
type Merged = unknown | typeof DELETED;

const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (msg: string) => new PatchError(400, msg);
const show = (v: unknown) => JSON.stringify(v);

/** strategicMergePatch returns original with patch applied; neither input is modified. */
export function strategicMergePatch(original: any, patch: any): any {
  if (!isMap(patch)) throw bad('a strategic merge patch must be a JSON object');
  const merged = mergeMap(structuredClone(isMap(original) ? original : {}), patch, []);
  return merged === DELETED ? {} : merged;
}

// mergeMap merges patch into original, which it owns and may change.
function mergeMap(original: Obj, patch: Obj, path: Path): Obj | typeof DELETED {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === 'delete') return DELETED;
    if (directive !== 'replace') throw bad(`unknown patch type: ${show(directive)} in map: ${show(patch)}`);
    const { [DIRECTIVE]: _, ...rest } = patch;
    return mergeMap({}, rest, path);
  }
  if (RETAIN_KEYS in patch) retainKeys(original, patch);
  const ordered = new Set<string>();
  for (const k of Object.keys(patch)) {
    if (k.startsWith(SET_ORDER)) setElementOrder(original, patch, k.slice(SET_ORDER.length), path, ordered);
  }
  for (const [k, pv] of Object.entries(patch)) {
    if (k === RETAIN_KEYS || k.startsWith(SET_ORDER) || ordered.has(k) || k === '__proto__') continue;
    if (k.startsWith(DELETE_FROM)) {
      deleteFromPrimitiveList(original, k.slice(DELETE_FROM.length), pv);
      continue;
    }
    if (pv === null) {
      delete original[k];
      continue;
    }
    const ov = original[k];
    const sub = [...path, k];
    let v: Merged;
    if (isMap(ov) && isMap(pv)) v = mergeMap(ov, pv, sub);
    else if (Array.isArray(ov) && Array.isArray(pv)) v = mergeList(ov, pv, sub);
    else v = fresh(pv, sub); // absent, or a different type: the patch value wins
    if (v === DELETED) delete original[k];
    else original[k] = v;
  }
  return original;
}

// fresh turns a patch value with nothing to merge into a plain value: directives resolved
// against nothing, nulls inside maps dropped.
function fresh(v: unknown, path: Path): Merged {
  if (isMap(v)) return mergeMap({}, v, path);
  if (Array.isArray(v)) return listItems(v).map((x) => (isMap(x) ? mergeMap({}, x, path) : structuredClone(x)));
  return v;
}

// listItems drops the directive-only items ({"$patch": …}) of a list.
function listItems(list: readonly unknown[]): unknown[] {
  return list.filter((x) => !(isMap(x) && DIRECTIVE in x));
}

// mergeList merges a patch list into a live list according to the field's strategy.
function mergeList(original: unknown[], patch: unknown[], path: Path): unknown[] {
  const strategy = listStrategyFor(path);
  if (patch.some((x) => isMap(x) && x[DIRECTIVE] === 'replace')) return fresh(patch, path) as unknown[];
  switch (strategy.type) {
    case 'replace':
      return fresh(patch, path) as unknown[];
    case 'set': {
      const items = listItems(patch);
      const merged = [...new Set([...original, ...items])];
      return orderMerged(merged, items, original, identity);
    }
    case 'merge':
      return mergeByKey(original, patch, path, strategy.key);
  }
}

const identity: KeyOf = (x) => x;
const keyOf =
  (key: string): KeyOf =>
  (x) =>
    isMap(x) ? x[key] : x;

function mergeByKey(original: unknown[], patch: unknown[], path: Path, key: string): unknown[] {
  let live = original;
  const items: Obj[] = [];
  for (const p of patch) {
    if (!isMap(p)) throw bad(`list ${path.join('.')} must hold objects, found ${show(p)}`);
    if (!(DIRECTIVE in p)) {
      items.push(p);
      continue;
    }
    const directive = p[DIRECTIVE];
    if (directive === 'delete') {
      if (!(key in p)) throw bad(`map: ${show(p)} does not contain declared merge key: ${key}`);
      live = live.filter((o) => !(isMap(o) && o[key] === p[key]));
    } else if (directive === 'merge') {
      throw bad('merging lists cannot yet be specified in the patch');
    } else {
      throw bad(`unknown patch type: ${show(directive)} in map: ${show(p)}`);
    }
  }
  const merged = [...live];
  for (const p of items) {
    if (!(key in p)) throw bad(`map: ${show(p)} does not contain declared merge key: ${key}`);
    const i = merged.findIndex((o) => isMap(o) && o[key] === p[key]);
    const v = i >= 0 ? mergeMap(merged[i] as Obj, p, path) : mergeMap({}, p, path);
    if (v === DELETED) continue;
    if (i >= 0) merged[i] = v;
    else merged.push(v);
  }
  return orderMerged(merged, items, original, keyOf(key));
}

// retainKeys clears the keys of original that the $retainKeys list does not name.
function retainKeys(original: Obj, patch: Obj): void {
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw bad('invalid patch format of $retainKeys: it must be a list of field names');
  const kept = new Set(keep);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k === RETAIN_KEYS || k.startsWith('$')) continue;
    if (!kept.has(k)) throw bad(`invalid patch format of $retainKeys: "${k}" is patched but not listed in $retainKeys`);
  }
  for (const k of Object.keys(original)) if (!kept.has(k)) delete original[k];
}

// setElementOrder merges the list `name` (if patched) and puts it in the directive's order.
function setElementOrder(original: Obj, patch: Obj, name: string, path: Path, done: Set<string>): void {
  const order = patch[SET_ORDER + name];
  if (!Array.isArray(order)) throw bad(`invalid patch format of ${SET_ORDER}${name}: it must be a list`);
  const live = original[name];
  const patched = patch[name];
  if ((live !== undefined && !Array.isArray(live)) || (patched !== undefined && !Array.isArray(patched))) return;
  if (live === undefined && patched === undefined) return;
  const sub = [...path, name];
  const strategy = listStrategyFor(sub);
  const key = strategy.type === 'merge' ? keyOf(strategy.key) : identity;
  if (patched) checkOrder(patched, order, key, name);
  let merged = patched ? mergeList(live ?? [], patched, sub) : live!;
  if (strategy.type !== 'replace') merged = orderMerged(merged, order, live ?? [], key);
  original[name] = merged;
  done.add(name);
}

// checkOrder rejects a patch list whose items are missing from, or out of, $setElementOrder.
function checkOrder(patched: unknown[], order: unknown[], key: KeyOf, name: string): void {
  if (order.length === 0) return;
  let at = 0;
  for (const item of listItems(patched)) {
    const k = key(item);
    while (at < order.length && key(order[at]) !== k) at++;
    if (at === order.length) throw bad(`the order in patch list ${name}: ${show(patched)} doesn't match ${SET_ORDER}${name} list: ${show(order)}`);
    at++;
  }
}

function deleteFromPrimitiveList(original: Obj, name: string, values: unknown): void {
  if (!Array.isArray(values)) throw bad(`invalid patch format of ${DELETE_FROM}${name}: it must be a list`);
  const live = original[name];
  if (!Array.isArray(live)) return;
  const gone = new Set(values);
  original[name] = live.filter((v) => !gone.has(v));
}
