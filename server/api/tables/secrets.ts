// secrets: `kubectl get secrets` columns; Data counts keys, never shows values.
import type { KubeObject } from '../../../shared/api/meta.js';
import { ageColumn, column, nameColumn, since } from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

export const secrets: TablePrinter = {
  columns: [
    nameColumn,
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'string', 'Data contains the secret data.'),
    ageColumn,
  ],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    // stringData is write-only and folded into data on write; counting both covers a store that
    // kept it unfolded, without counting a key twice.
    const keys = new Set([...Object.keys(obj.data ?? {}), ...Object.keys(obj.stringData ?? {})]);
    return [obj.metadata.name ?? '', obj.type ?? 'Opaque', keys.size, since(obj.metadata.creationTimestamp, now)];
  },
};
