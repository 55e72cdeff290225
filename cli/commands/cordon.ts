// cordon, uncordon: mark a node unschedulable (or schedulable again) with a merge patch of
// spec.unschedulable, printing what kubectl prints. The scheduler then leaves the node alone;
// its running pods stay until `bramble drain` evicts them.
import { UsageError } from '../../shared/options.js';
import { type ApiClient, MERGE_PATCH } from '../client.js';
import { CONNECTION_OPTIONS, session } from '../flags.js';
import { defineVerb } from './verb.js';

/** setUnschedulable cordons or uncordons one node and returns kubectl's line for it. */
export async function setUnschedulable(client: ApiClient, name: string, unschedulable: boolean): Promise<string> {
  const path = `/api/v1/nodes/${encodeURIComponent(name)}`;
  const node = await client.get(path);
  const word = unschedulable ? 'cordoned' : 'uncordoned';
  if (Boolean(node?.spec?.unschedulable) === unschedulable) return `node/${name} already ${word}`;
  // false is stored as an absent field, as kubectl leaves it.
  await client.patch(path, { spec: { unschedulable: unschedulable ? true : null } }, MERGE_PATCH);
  return `node/${name} ${word}`;
}

function nodeVerb(name: 'cordon' | 'uncordon', unschedulable: boolean, summary: string) {
  return defineVerb({
    name,
    summary,
    usage: `bramble ${name} NODE…`,
    options: [...CONNECTION_OPTIONS],
    async run(values, positionals) {
      if (positionals.length === 0) throw new UsageError('at least one node name is required');
      const s = session(values);
      for (const node of positionals) console.log(await setUnschedulable(s.client, node, unschedulable));
      return 0;
    },
  });
}

export const cordonCommand = nodeVerb('cordon', true, 'mark a node unschedulable: no new pods go there (like kubectl cordon)');
export const uncordonCommand = nodeVerb('uncordon', false, 'mark a node schedulable again (like kubectl uncordon)');
