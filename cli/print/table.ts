// table: prints the meta.k8s.io/v1 Tables the server sends for `get`, as kubectl does —
// headers uppercased, priority-1 columns only with -o wide, NAMESPACE first with -A, LABELS
// last with --show-labels, "kind/name" names when several kinds are shown.
import { GET_TABLE } from './tabwriter.js';

export interface TableColumn {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
}

export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } } | null;
}

export interface Table {
  kind: 'Table';
  metadata?: { resourceVersion?: string };
  columnDefinitions: TableColumn[];
  rows?: TableRow[] | null;
}

export interface TableView {
  wide: boolean;
  withNamespace: boolean;
  showLabels: boolean;
  /** namePrefix: "deployment.apps/" when several kinds are printed together. */
  namePrefix?: string;
}

/** headerCells are the column titles the view shows. */
export function headerCells(columns: TableColumn[], view: TableView): string[] {
  const shown = visible(columns, view).map((i) => columns[i].name.toUpperCase());
  return [...(view.withNamespace ? ['NAMESPACE'] : []), ...shown, ...(view.showLabels ? ['LABELS'] : [])];
}

export function rowCells(columns: TableColumn[], row: TableRow, view: TableView): string[] {
  const nameAt = Math.max(0, columns.findIndex((c) => c.format === 'name'));
  const shown = visible(columns, view).map((i) => {
    const text = cellText(row.cells[i]);
    return i === nameAt && view.namePrefix ? view.namePrefix + text : text;
  });
  const md = row.object?.metadata;
  return [...(view.withNamespace ? [md?.namespace ?? ''] : []), ...shown, ...(view.showLabels ? [labelsText(md?.labels)] : [])];
}

function visible(columns: TableColumn[], view: TableView): number[] {
  return columns.flatMap((c, i) => (view.wide || !c.priority ? [i] : []));
}

export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '<none>';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

/** labelsText is labels.FormatLabels: sorted k=v pairs, or <none>. */
export function labelsText(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

/** Aligner pads columns to the widest cell seen so far plus 3 (at least 6), the last column
 *  unpadded. Widths only grow, so rows printed later by a watch stay under their header. */
export class Aligner {
  private widths: number[] = [];

  format(lines: string[][]): string {
    for (const cells of lines) {
      cells.forEach((c, i) => {
        if (i < cells.length - 1) this.widths[i] = Math.max(this.widths[i] ?? GET_TABLE.minWidth, [...c].length + GET_TABLE.padding);
      });
    }
    return lines.map((cells) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(this.widths[i]) : c)).join('')).join('\n');
  }
}
