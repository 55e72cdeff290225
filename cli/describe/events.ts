// events: describe's closing section — the events whose involvedObject is this object, oldest
// first, as kubectl prints them (Type, Reason, Age "(xN over M)", From, Message).
import type { KubeObject } from '../../shared/api/meta.js';
import { since } from '../print/age.js';
import type { DescribeContext } from './context.js';
import type { DescribeWriter } from './writer.js';

export async function describeEvents(obj: KubeObject, w: DescribeWriter, ctx: DescribeContext): Promise<void> {
  let events: any[];
  try {
    events = await listEvents(obj, ctx);
  } catch (e) {
    // Events are a courtesy; the description stands without them.
    w.line(0, `Events:\t<unable to list events: ${(e as Error).message}>`);
    return;
  }
  if (events.length === 0) {
    w.line(0, 'Events:\t<none>');
    return;
  }
  events.sort((a, b) => timeOf(a) - timeOf(b));
  w.line(0, 'Events:');
  w.line(1, 'Type\tReason\tAge\tFrom\tMessage');
  w.line(1, '----\t------\t----\t----\t-------');
  for (const e of events) {
    const first = since(e.eventTime ?? e.firstTimestamp, ctx.now);
    const age = (e.count ?? 1) > 1 ? `${since(e.lastTimestamp, ctx.now)} (x${e.count} over ${first})` : first;
    const from = e.source?.component || e.reportingComponent || e.reportingController || '';
    w.line(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${age}\t${from}\t${String(e.message ?? '').trim()}`);
  }
}

// listEvents asks, as kubectl does, for events by involvedObject name, namespace and uid; a
// cluster-scoped object's events may be in any namespace.
async function listEvents(obj: KubeObject, ctx: DescribeContext): Promise<any[]> {
  const { name, namespace, uid } = obj.metadata;
  const terms = [`involvedObject.name=${name}`, ...(namespace ? [`involvedObject.namespace=${namespace}`] : []), ...(uid ? [`involvedObject.uid=${uid}`] : [])];
  const path = namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/api/v1/events';
  const list = await ctx.client.get(path, { query: { fieldSelector: terms.join(',') } });
  return list?.items ?? [];
}

function timeOf(e: any): number {
  const t = Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}
