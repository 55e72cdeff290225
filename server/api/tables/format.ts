// format: the value formatting kube-apiserver's printers share — ages (duration.HumanDuration),
// label maps and selectors, container lists — plus the column definitions every kind repeats.
import type { LabelSelector } from '../../../shared/api/core.js';
import type { ColumnType, TableColumnDefinition } from './types.js';
import { rfc3339 as formatRfc3339 } from '../../../shared/clock.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** humanDuration is k8s.io/apimachinery/pkg/util/duration.HumanDuration: a short, rounded-down
 *  duration whose precision shrinks as it grows ("45s", "3m12s", "25m", "5h3m", "30h", "3d4h"). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** since is translateTimestampSince: the age of an RFC 3339 timestamp, "<unknown>" when unset. */
export function since(timestamp: string | null | undefined, now: number): string {
  const t = parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

export function parseTime(timestamp: string | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? undefined : t;
}

/** rfc3339 prints a timestamp like Go's time.RFC3339 in UTC (no fractional seconds); an unset
 *  one is Go's zero time, as kube-apiserver's default table shows it. */
export function rfc3339(timestamp: string | null | undefined): string {
  const t = parseTime(timestamp);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return formatRfc3339(t);
}

/** formatLabels is labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** selectorString is metav1.LabelSelectorAsSelector(s).String(): requirements sorted by key,
 *  "" for an empty or missing selector. */
export function selectorString(selector: LabelSelector | undefined): string {
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of selector?.matchExpressions ?? []) {
    const values = [...new Set(e.values ?? [])].sort().join(',');
    switch (e.operator) {
      case 'In':
        reqs.push([e.key, `${e.key} in (${values})`]);
        break;
      case 'NotIn':
        reqs.push([e.key, `${e.key} notin (${values})`]);
        break;
      case 'Exists':
        reqs.push([e.key, e.key]);
        break;
      case 'DoesNotExist':
        reqs.push([e.key, `!${e.key}`]);
        break;
    }
  }
  return reqs
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((r) => r[1])
    .join(',');
}

/** formatLabelSelector is metav1.FormatLabelSelector: like selectorString, "<none>" when empty. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  return selectorString(selector) || '<none>';
}

/** containerCells is layoutContainerCells: container names and images, comma separated. */
export function containerCells(containers: { name: string; image: string }[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image).join(',')];
}

// The ObjectMeta field docs kube-apiserver puts in the Name and Age column descriptions.
const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const CREATED_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** column builds a TableColumnDefinition with kube-apiserver's defaults (format "", priority 0). */
export function column(
  name: string,
  type: ColumnType,
  description = '',
  opts: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

export const nameColumn = column('Name', 'string', NAME_DOC, { format: 'name' });
export const ageColumn = column('Age', 'string', CREATED_DOC);
export const createdAtColumn = column('Created At', 'date', CREATED_DOC);

/** wide marks a column as -o wide only. */
export function wide(c: TableColumnDefinition): TableColumnDefinition {
  return { ...c, priority: 1 };
}

export const containersColumn = wide(column('Containers', 'string', 'Names of each container in the template.'));
export const imagesColumn = wide(column('Images', 'string', 'Images referenced by each container in the template.'));
