// types: the meta.k8s.io/v1 Table that kube-apiserver returns when a client asks for
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get), and the printer contract.
import type { KubeObject, ObjectMeta } from '../../../shared/api/meta.js';

/** ColumnType is an OpenAPI type name; kubectl only uses it for alignment and sorting. */
export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

export interface TableColumnDefinition {
  name: string;
  type: ColumnType;
  /** format: 'name' marks the column kubectl -o name / --show-kind uses; otherwise ''. */
  format: string;
  description: string;
  /** priority: 0 is always shown, 1 only with -o wide. */
  priority: number;
}

export type Cell = string | number | boolean | null;

export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
  /** object: metadata only (default), the whole object, or null, per the includeObject option. */
  object: PartialObjectMetadata | KubeObject | null;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = 'Metadata' | 'Object' | 'None';

/** RowContext is what a printer may read besides the object: the injected clock. */
export interface RowContext {
  now: number;
}

/** TablePrinter turns one kind into rows; cells line up with columns, wide columns included
 *  (kube-apiserver always prints wide and lets kubectl hide priority-1 columns). */
export interface TablePrinter {
  columns: TableColumnDefinition[];
  cells(obj: KubeObject, ctx: RowContext): Cell[];
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}
