// configmaps: `kubectl get configmaps` columns; Data counts data and binaryData keys.
import type { KubeObject } from '../../../shared/api/meta.js';
import { ageColumn, column, nameColumn, since } from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

export const configmaps: TablePrinter = {
  columns: [
    nameColumn,
    column('Data', 'string', 'Data contains the configuration data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'.'),
    ageColumn,
  ],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    const count = Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length;
    return [obj.metadata.name ?? '', count, since(obj.metadata.creationTimestamp, now)];
  },
};
