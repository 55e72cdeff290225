// stable-json: JSON with object keys sorted, so two equal values always compare equal as text
// (objects read back from the store need not keep the key order they were written with).
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x,
  );
}
