// reflect-shim: the few Reflect metadata functions that tsyringe (a dependency of @peculiar/x509)
// insists on at load time. Installed only when no real polyfill (reflect-metadata) is present;
// metadata lives in a WeakMap per target and property. If the project ever depends on
// reflect-metadata, import that here instead.
type Key = string | symbol | undefined;
type Table = Map<Key, Map<unknown, unknown>>;

const store = new WeakMap<object, Table>();

function table(target: object, create: boolean): Table | undefined {
  let t = store.get(target);
  if (!t && create) {
    t = new Map();
    store.set(target, t);
  }
  return t;
}

function getOwnMetadata(key: unknown, target: object, prop?: string | symbol): unknown {
  return table(target, false)?.get(prop)?.get(key);
}

function hasOwnMetadata(key: unknown, target: object, prop?: string | symbol): boolean {
  return table(target, false)?.get(prop)?.has(key) ?? false;
}

function getMetadata(key: unknown, target: object, prop?: string | symbol): unknown {
  for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
    if (hasOwnMetadata(key, t, prop)) return getOwnMetadata(key, t, prop);
  }
  return undefined;
}

function defineMetadata(key: unknown, value: unknown, target: object, prop?: string | symbol): void {
  const t = table(target, true)!;
  let byKey = t.get(prop);
  if (!byKey) {
    byKey = new Map();
    t.set(prop, byKey);
  }
  byKey.set(key, value);
}

function metadata(key: unknown, value: unknown) {
  return (target: object, prop?: string | symbol) => defineMetadata(key, value, target, prop);
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  Object.assign(R, {
    getMetadata,
    getOwnMetadata,
    hasMetadata: (k: unknown, t: object, p?: string | symbol) => getMetadata(k, t, p) !== undefined,
    hasOwnMetadata,
    defineMetadata,
    metadata,
  });
}
