// tables: builds the meta.k8s.io/v1 Table kube-apiserver returns to `kubectl get` — the kind's
// printer columns, one row per object, and per row the object as PartialObjectMetadata (the
// default), in full, or null, as the includeObject option asks.
import type { KubeObject } from '../../../shared/api/meta.js';
import { defaultPrinter } from './default.js';
import { printers } from './registry.js';
import type { IncludeObject, PartialObjectMetadata, Table, TablePrinter, TableRow } from './types.js';

export { humanDuration } from './format.js';
export { printers } from './registry.js';
export type * from './types.js';

export interface ToTableOptions {
  /** now: the clock (ms since epoch) that ages are measured against. */
  now: number;
  /** resourceVersion: the list's (or object's) resourceVersion, so `get -w` can watch from it. */
  resourceVersion?: string;
  includeObject?: IncludeObject;
}

/** printerFor returns the printer for a plural resource name, or the default Name/Created At one. */
export function printerFor(resource: string): TablePrinter {
  return Object.hasOwn(printers, resource) ? printers[resource] : defaultPrinter;
}

export function toTable(resource: string, objects: KubeObject[], opts: ToTableOptions): Table {
  const printer = printerFor(resource);
  const ctx = { now: opts.now };
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, ctx), object: rowObject(obj, opts.includeObject ?? 'Metadata') };
    const conditions = printer.conditions?.(obj);
    return conditions ? { cells: row.cells, conditions, object: row.object } : row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.resourceVersion === undefined ? {} : { resourceVersion: opts.resourceVersion },
    columnDefinitions: printer.columns,
    rows,
  };
}

function rowObject(obj: KubeObject, include: IncludeObject): TableRow['object'] {
  switch (include) {
    case 'Object':
      return obj;
    case 'None':
      return null;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata } satisfies PartialObjectMetadata;
  }
}
