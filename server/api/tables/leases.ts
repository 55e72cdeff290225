// leases: `kubectl get leases` columns.
import type { KubeObject } from '../../../shared/api/meta.js';
import { ageColumn, column, nameColumn, since } from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

export const leases: TablePrinter = {
  columns: [nameColumn, column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    return [obj.metadata.name ?? '', obj.spec?.holderIdentity ?? '', since(obj.metadata.creationTimestamp, now)];
  },
};
