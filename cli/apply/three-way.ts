// three-way: the merge patch client-side apply sends (RFC 7386, as kubectl builds it for kinds it
// has no strategic-merge schema for). Two diffs, merged:
//   deletions  last-applied → manifest: fields the manifest no longer sets become null, and
//              lists it changed are sent whole;
//   changes    live → manifest: fields the manifest sets to something the live object does not
//              have are set. A list counts as unchanged when each live item has at least the
//              manifest's fields, so server defaults inside list items (a port's protocol, a
//              container's imagePullPolicy) do not make every apply a "configured".
// Fields set only by others (defaults, status, `scale`) are in neither and stay; lists are
// replaced whole.

type Json = Record<string, unknown>;

export function threeWayMergePatch(lastApplied: unknown, manifest: Json, live: Json): Json {
  const deletions = isObject(lastApplied) ? deletionsOf(lastApplied, manifest) : {};
  return mergeInto(changesOf(live, manifest), deletions);
}

export function isEmptyPatch(patch: Json): boolean {
  return Object.keys(patch).length === 0;
}

function deletionsOf(before: Json, after: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(before)) {
    if (!(k in after)) out[k] = null;
    else if (Array.isArray(v) && !deepEqual(v, after[k])) out[k] = after[k];
    else if (isObject(v) && isObject(after[k])) {
      const sub = deletionsOf(v, after[k]);
      if (!isEmptyPatch(sub)) out[k] = sub;
    }
  }
  return out;
}

function changesOf(live: Json, want: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(want)) {
    const have = live[k];
    if (isObject(v) && isObject(have)) {
      const sub = changesOf(have, v);
      if (!isEmptyPatch(sub)) out[k] = sub;
    } else if (!(k in live) || !covers(have, v)) {
      out[k] = v;
    }
  }
  return out;
}

function mergeInto(target: Json, extra: Json): Json {
  for (const [k, v] of Object.entries(extra)) {
    const t = target[k];
    target[k] = isObject(t) && isObject(v) ? mergeInto(t, v) : v;
  }
  return target;
}

// covers: the live value has everything the manifest's value has (maybe more, from defaults).
function covers(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(have[i], w));
  if (isObject(want)) return isObject(have) && Object.entries(want).every(([k, w]) => k in have && covers(have[k], w));
  return deepEqual(have, want);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
