// deployments: `kubectl get deployments` columns.
import type { Deployment } from '../../../shared/api/core.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import {
  ageColumn,
  column,
  containerCells,
  containersColumn,
  imagesColumn,
  nameColumn,
  selectorString,
  since,
  wide,
} from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

const SELECTOR_DOC = 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template\'s labels.';


export const deployments: TablePrinter = {
  columns: [
    nameColumn,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide(column('Selector', 'string', SELECTOR_DOC)),
  ],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    const d = obj as Deployment;
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, // spec.replicas defaults to 1
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      since(d.metadata.creationTimestamp, now),
      names,
      images,
      selectorString(d.spec?.selector),
    ];
  },
};
