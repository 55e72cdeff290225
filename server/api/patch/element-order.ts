// element-order: the order of a merged list, as Kubernetes computes it (normalizeElementOrder in
// apimachinery's strategicpatch). Items named by the patch (or its $setElementOrder list) follow
// that order; items only the server had keep their live order and are slotted in before the
// first patch item that came after them in the live list. Patch items the live list never had
// cannot be compared, so they go first: a new container added without $setElementOrder lands
// at the front, as it does against a real apiserver.

export type KeyOf = (item: unknown) => unknown;

// positions maps each key to its first index, so lookups in long lists stay O(1).
function positions(list: readonly unknown[], keyOf: KeyOf): Map<unknown, number> {
  const m = new Map<unknown, number>();
  list.forEach((item, i) => {
    const k = keyOf(item);
    if (!m.has(k)) m.set(k, i);
  });
  return m;
}

// sortBy orders items by their position in `order`; items it does not name keep their
// relative order after those it does.
function sortBy(items: unknown[], order: Map<unknown, number>, keyOf: KeyOf): unknown[] {
  const known = items.filter((x) => order.has(keyOf(x)));
  const unknown = items.filter((x) => !order.has(keyOf(x)));
  known.sort((a, b) => (order.get(keyOf(a)) as number) - (order.get(keyOf(b)) as number));
  return [...known, ...unknown];
}

/**
 * orderMerged returns merged reordered: items present in `wanted` (the patch list or the
 * $setElementOrder list) in that order, interleaved with server-only items by `live` order.
 */
export function orderMerged(merged: readonly unknown[], wanted: readonly unknown[], live: readonly unknown[], keyOf: KeyOf): unknown[] {
  const wantedAt = positions(wanted, keyOf);
  const liveAt = positions(live, keyOf);
  const patchItems = sortBy(
    merged.filter((x) => wantedAt.has(keyOf(x))),
    wantedAt,
    keyOf,
  );
  const serverOnly = sortBy(
    merged.filter((x) => !wantedAt.has(keyOf(x))),
    liveAt,
    keyOf,
  );
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (i >= serverOnly.length) out.push(patchItems[j++]);
    else if (j >= patchItems.length) out.push(serverOnly[i++]);
    else {
      const li = liveAt.get(keyOf(serverOnly[i]));
      const ri = liveAt.get(keyOf(patchItems[j]));
      if (li !== undefined && ri !== undefined && li < ri) out.push(serverOnly[i++]);
      else out.push(patchItems[j++]);
    }
  }
  return out;
}
