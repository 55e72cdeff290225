// default: kube-apiserver's default table for kinds without a printer (and for CRDs without
// additionalPrinterColumns): Name and Created At, the latter a date in RFC 3339, not an age.
import type { KubeObject } from '../../../shared/api/meta.js';
import { createdAtColumn, nameColumn, rfc3339 } from './format.js';
import type { Cell, TablePrinter } from './types.js';

export const defaultPrinter: TablePrinter = {
  columns: [nameColumn, createdAtColumn],
  cells(obj: KubeObject): Cell[] {
    return [obj.metadata.name ?? '', rfc3339(obj.metadata.creationTimestamp)];
  },
};
