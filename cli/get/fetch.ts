// fetch: the requests behind `get` — a list (with selectors) or one GET per named object, as
// Tables for printing or as full objects for -o yaml|json|name. Missing names are collected as
// errors so the objects that exist are still printed, as kubectl does.
import type { KubeObject } from '../../shared/api/meta.js';
import type { ResourceInfo } from '../../shared/api/resources.js';
import { type ApiClient, JSON_TYPE, TABLE_ACCEPT } from '../client.js';
import { ServerError } from '../errors.js';
import type { Table } from '../print/table.js';
import { resourcePath, type Selection, typedObject } from '../resources.js';

export interface Scope {
  /** namespace: undefined with -A. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface Fetched<T> {
  info: ResourceInfo;
  result?: T;
  errors: ServerError[];
}

export async function fetchTable(client: ApiClient, sel: Selection, scope: Scope): Promise<Fetched<Table>> {
  if (sel.names.length === 0) {
    const result = await client.get<Table>(resourcePath(sel.info, scope.namespace), { accept: TABLE_ACCEPT, query: selectors(scope) });
    return { info: sel.info, result, errors: [] };
  }
  const errors: ServerError[] = [];
  let merged: Table | undefined;
  for (const name of sel.names) {
    const t = await collect(errors, () => client.get<Table>(resourcePath(sel.info, scope.namespace, name), { accept: TABLE_ACCEPT }));
    if (!t) continue;
    if (merged) merged.rows = [...(merged.rows ?? []), ...(t.rows ?? [])];
    else merged = t;
  }
  return { info: sel.info, result: merged, errors };
}

export async function fetchObjects(client: ApiClient, sel: Selection, scope: Scope): Promise<Fetched<KubeObject[]>> {
  const typed = (o: KubeObject) => typedObject(sel.info, o);
  if (sel.names.length === 0) {
    const list = await client.get<{ items?: KubeObject[] }>(resourcePath(sel.info, scope.namespace), { accept: JSON_TYPE, query: selectors(scope) });
    return { info: sel.info, result: (list.items ?? []).map(typed), errors: [] };
  }
  const errors: ServerError[] = [];
  const result: KubeObject[] = [];
  for (const name of sel.names) {
    const o = await collect(errors, () => client.get<KubeObject>(resourcePath(sel.info, scope.namespace, name)));
    if (o) result.push(typed(o));
  }
  return { info: sel.info, result, errors };
}

/** noResources is kubectl's stderr note for an empty result. */
export function noResources(scope: Scope): string {
  return scope.namespace === undefined ? 'No resources found' : `No resources found in ${scope.namespace} namespace.`;
}

export function selectors(scope: Scope): Record<string, string | undefined> {
  return { labelSelector: scope.labelSelector, fieldSelector: scope.fieldSelector };
}

async function collect<T>(errors: ServerError[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ServerError) || e.code !== 404) throw e;
    errors.push(e);
    return undefined;
  }
}
