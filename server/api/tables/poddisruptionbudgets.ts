// poddisruptionbudgets: `kubectl get pdb` columns. An unset bound prints as "N/A".
import type { KubeObject } from '../../../shared/api/meta.js';
import type { PodDisruptionBudget } from '../../../shared/api/policy.js';
import { ageColumn, column, nameColumn, since } from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

function bound(v: number | string | undefined | null): string {
  return v === undefined || v === null ? 'N/A' : String(v);
}

export const poddisruptionbudgets: TablePrinter = {
  columns: [
    nameColumn,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn,
  ],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    const pdb = obj as PodDisruptionBudget;
    return [
      pdb.metadata.name ?? '',
      bound(pdb.spec?.minAvailable),
      bound(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      since(pdb.metadata.creationTimestamp, now),
    ];
  },
};
