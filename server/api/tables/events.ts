// events: `kubectl get events` columns as kube-apiserver prints core/v1 Events. Series events
// (the newer API) report their last observation and count in `series`.
import type { KubeObject } from '../../../shared/api/meta.js';
import { column, nameColumn, since, wide } from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

interface CoreEvent extends KubeObject {
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

/** eventSource is formatEventSource: "component, host", falling back to the reporting fields. */
export function eventSource(e: CoreEvent): string {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export const events: TablePrinter = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column('Object', 'string', 'The object that this event is about.'),
    wide(column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.')),
    wide(column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.')),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    wide(column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)')),
    wide(column('Count', 'string', 'The number of times this event has occurred.')),
    wide(nameColumn),
  ],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    const e = obj as CoreEvent;
    const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
    let count = e.count || 1; // singleton events of the new API carry no count
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    }
    const kind = (e.involvedObject?.kind ?? '').toLowerCase();
    const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    return [
      last,
      e.type ?? '',
      e.reason ?? '',
      target,
      e.involvedObject?.fieldPath ?? '',
      eventSource(e),
      (e.message ?? '').trim(),
      first,
      count,
      e.metadata.name ?? '',
    ];
  },
};
