// replicasets: `kubectl get replicasets` columns.
import type { ReplicaSet } from '../../../shared/api/core.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import {
  ageColumn,
  column,
  containerCells,
  containersColumn,
  formatLabelSelector,
  imagesColumn,
  nameColumn,
  since,
  wide,
} from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

export const replicasets: TablePrinter = {
  columns: [
    nameColumn,
    column('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide(column('Selector', 'string', 'Selector is a label query over pods that should match the replica count.')),
  ],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    const rs = obj as ReplicaSet;
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata.name ?? '',
      rs.spec?.replicas ?? 1, // kube-apiserver defaults spec.replicas to 1
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      since(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};
