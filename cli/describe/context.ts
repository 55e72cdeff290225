// context: what a kind's describer gets — the object, the writer, and the client for the related
// objects it shows (events, ReplicaSets, endpoints).
import type { KubeObject } from '../../shared/api/meta.js';
import type { ApiClient } from '../client.js';
import type { DescribeWriter } from './writer.js';

export interface DescribeContext {
  client: ApiClient;
  now: number;
}

export type Describer = (obj: KubeObject, w: DescribeWriter, ctx: DescribeContext) => Promise<void>;

/** controllerOf is "Kind/name" of the owner with controller: true, for "Controlled By:". */
export function controllerOf(obj: KubeObject): string | undefined {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? `${ref.kind}/${ref.name}` : undefined;
}

/** selectorText: matchLabels and matchExpressions as a label-selector string ("app=web,tier in (a,b)"). */
export function selectorText(sel: { matchLabels?: Record<string, string>; matchExpressions?: any[] } | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
