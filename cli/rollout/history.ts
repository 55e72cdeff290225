// history: `rollout history`, the revisions recorded on a Deployment's ReplicaSets with their
// kubernetes.io/change-cause, or one revision's pod template with --revision.
import type { Deployment, ReplicaSet } from '../../shared/api/core.js';
import type { ApiClient } from '../client.js';
import { describePodTemplate } from '../describe/template.js';
import { DescribeWriter } from '../describe/writer.js';
import { CliError } from '../errors.js';
import { DESCRIBE, formatTabbed } from '../print/tabwriter.js';
import { ownedReplicaSets, revisionOf, withoutHash } from './replicasets.js';

const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** historyText renders the REVISION / CHANGE-CAUSE table (newest last). */
export function historyText(all: ReplicaSet[]): string {
  const byRev = new Map<number, ReplicaSet>();
  for (const rs of all) {
    const rev = revisionOf(rs);
    if (rev !== undefined) byRev.set(rev, rs);
  }
  if (byRev.size === 0) return 'No rollout history found.\n';
  const rows = [...byRev.keys()].sort((a, b) => a - b).map((rev) => `${rev}\t${byRev.get(rev)!.metadata.annotations?.[CHANGE_CAUSE] || '<none>'}`);
  return `${formatTabbed(['REVISION\tCHANGE-CAUSE', ...rows].join('\n'), DESCRIBE)}\n`;
}

export async function rolloutHistory(client: ApiClient, path: string, ref: string, revision: number): Promise<string> {
  const d = await client.get<Deployment>(path);
  const all = await ownedReplicaSets(client, d);
  if (revision <= 0) return `${ref} \n${historyText(all)}\n`;
  const rs = all.find((x) => revisionOf(x) === revision);
  if (!rs) throw new CliError(`unable to find the specified revision`);
  const w = new DescribeWriter();
  describePodTemplate(w, withoutHash(rs.spec?.template));
  return `${ref} with revision #${revision}\n${w.toString()}\n`;
}
