// namespaces: `kubectl get namespaces` columns.
import type { KubeObject } from '../../../shared/api/meta.js';
import { ageColumn, column, nameColumn, since } from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

export const namespaces: TablePrinter = {
  columns: [nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    return [obj.metadata.name ?? '', obj.status?.phase ?? 'Active', since(obj.metadata.creationTimestamp, now)];
  },
};
