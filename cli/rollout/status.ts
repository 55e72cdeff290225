// status: `rollout status`. A Deployment's rollout is judged by kubectl's rules, in order:
//   generation not yet observed        → "Waiting for deployment spec update to be observed..."
//   Progressing=ProgressDeadlineExceeded → error
//   updated < desired                  → "… N out of M new replicas have been updated..."
//   total > updated                    → "… N old replicas are pending termination..."
//   available < updated                → "… N of M updated replicas are available..."
//   otherwise                          → "deployment "web" successfully rolled out"
// Until done it lists and watches the one Deployment (fieldSelector metadata.name), printing
// each new message; a closed watch is resumed with a fresh list.
import type { Deployment } from '../../shared/api/core.js';
import type { ApiClient } from '../client.js';
import { CliError } from '../errors.js';

export interface RolloutState {
  message: string;
  done: boolean;
  error?: string;
}

export function deploymentStatus(d: Deployment): RolloutState {
  const name = d.metadata.name;
  const st = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (st.observedGeneration ?? 0)) return { message: 'Waiting for deployment spec update to be observed...\n', done: false };
  const progressing = st.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { message: '', done: false, error: `deployment "${name}" exceeded its progress deadline` };
  const want = d.spec?.replicas ?? 1;
  const updated = st.updatedReplicas ?? 0;
  const total = st.replicas ?? 0;
  const available = st.availableReplicas ?? 0;
  const waiting = `Waiting for deployment "${name}" rollout to finish: `;
  if (updated < want) return { message: `${waiting}${updated} out of ${want} new replicas have been updated...\n`, done: false };
  if (total > updated) return { message: `${waiting}${total - updated} old replicas are pending termination...\n`, done: false };
  if (available < updated) return { message: `${waiting}${available} of ${updated} updated replicas are available...\n`, done: false };
  return { message: `deployment "${name}" successfully rolled out\n`, done: true };
}

export async function rolloutStatus(client: ApiClient, collection: string, name: string, opts: { watch: boolean; timeoutMs: number }): Promise<number> {
  let last = '';
  const report = (d: Deployment): boolean => {
    const st = deploymentStatus(d);
    if (st.error) throw new CliError(st.error);
    if (st.message !== last) process.stdout.write(st.message);
    last = st.message;
    return st.done;
  };
  if (report(await client.get(`${collection}/${encodeURIComponent(name)}`)) || !opts.watch) return 0;
  const abort = new AbortController();
  const timer = opts.timeoutMs > 0 ? setTimeout(() => abort.abort(), opts.timeoutMs) : undefined;
  const query = { fieldSelector: `metadata.name=${name}` };
  try {
    while (!abort.signal.aborted) {
      const list = await client.get(collection, { query, signal: abort.signal });
      const d = list.items?.[0];
      if (!d) throw new CliError(`deployment "${name}" was deleted`);
      if (report(d)) return 0;
      for await (const ev of client.watch<Deployment>(collection, { query: { ...query, resourceVersion: list.metadata?.resourceVersion }, signal: abort.signal })) {
        if (ev.type === 'DELETED') throw new CliError(`deployment "${name}" was deleted`);
        if (ev.type === 'ERROR') break;
        if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && report(ev.object)) return 0;
      }
    }
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
  }
  throw new CliError('timed out waiting for the condition');
}
