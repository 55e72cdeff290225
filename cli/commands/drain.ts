// drain: `bramble drain NODE`, kubectl drain's steps and wording — cordon the node, list its pods
// (fieldSelector spec.nodeName), refuse if some cannot safely go (no controller, emptyDir data,
// DaemonSet pods: see ../drain/filters.ts), then evict each through pods/eviction, retrying every
// 5 s while a PodDisruptionBudget says no (429), and wait until the pods are gone.
import type { KubeObject } from '../../shared/api/meta.js';
import { UsageError } from '../../shared/options.js';
import type { ApiClient } from '../client.js';
import { CliError, ServerError } from '../errors.js';
import { aggregate, goDuration, planDrain } from '../drain/filters.js';
import { CONNECTION_OPTIONS, session } from '../flags.js';
import { setUnschedulable } from './cordon.js';
import { sleep } from './shared.js';
import { defineVerb } from './verb.js';
import { waitUntilGone } from './wait-gone.js';

const DRAIN = 'Drain';
const RETRY_MS = 5000;

interface Budget {
  /** deadline: when the whole drain gives up (Infinity without --timeout). */
  deadline: number;
  timeout: string;
  graceSeconds: number;
}

export const drainCommand = defineVerb({
  name: 'drain',
  summary: 'cordon a node and evict its pods, honouring PodDisruptionBudgets (like kubectl drain)',
  usage: 'bramble drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force] [--grace-period N] [--timeout 5m]',
  options: [
    { name: 'ignore-daemonsets', type: 'boolean', default: false, help: 'leave DaemonSet-managed pods where they are instead of refusing', category: DRAIN },
    { name: 'delete-emptydir-data', type: 'boolean', default: false, help: 'evict pods with emptyDir volumes too (their data is lost)', category: DRAIN },
    { name: 'force', type: 'boolean', default: false, help: 'evict pods that declare no controller too (nothing re-creates them)', category: DRAIN },
    { name: 'grace-period', type: 'number', default: -1, help: 'seconds each pod gets to stop (-1: its own setting)', category: DRAIN },
    { name: 'timeout', type: 'duration', default: '0s', help: 'give up after this long (0: wait for ever)', category: DRAIN },
    ...CONNECTION_OPTIONS,
  ],
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('exactly one node name is required: bramble drain NODE');
    const [node] = positionals;
    const s = session(values);
    console.log(await setUnschedulable(s.client, node, true));
    const list = await s.client.get('/api/v1/pods', { query: { fieldSelector: `spec.nodeName=${node}` } });
    const plan = planDrain(list?.items ?? [], { force: values.force, ignoreDaemonSets: values.ignoreDaemonsets, deleteEmptyDirData: values.deleteEmptydirData });
    if (plan.errors.length) throw new CliError(`unable to drain node "${node}": ${aggregate(plan.errors)}`);
    if (plan.warning) console.error(`Warning: ${plan.warning}`);
    const budget: Budget = { deadline: values.timeout > 0 ? Date.now() + values.timeout : Number.POSITIVE_INFINITY, timeout: goDuration(values.timeout), graceSeconds: values.gracePeriod };
    const results = await Promise.allSettled(plan.evict.map((pod) => evictAndWait(s.client, pod, budget)));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [errorText(r.reason)] : []));
    if (errors.length) throw new CliError(`unable to drain node "${node}": ${aggregate(errors)}`);
    console.log(`node/${node} drained`);
    return 0;
  },
});

// evictAndWait evicts one pod, retrying while its disruption budget refuses, then waits for it to go.
async function evictAndWait(client: ApiClient, pod: KubeObject, b: Budget): Promise<void> {
  const ns = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;
  const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns }, ...(b.graceSeconds >= 0 ? { deleteOptions: { gracePeriodSeconds: b.graceSeconds } } : {}) };
  const what = `pods/"${name}" -n "${ns}"`;
  for (;;) {
    console.log(`evicting pod ${ns}/${name}`);
    try {
      await client.create(`${path}/eviction`, eviction);
      break;
    } catch (e) {
      if (e instanceof ServerError && e.code === 404) return;
      if (!(e instanceof ServerError && e.code === 429)) throw new CliError(`error when evicting ${what}: ${errorText(e)}`);
      console.error(`error when evicting ${what} (will retry after 5s): ${errorText(e)}`);
      await sleep(Math.min(RETRY_MS, Math.max(0, b.deadline - Date.now())));
      if (Date.now() >= b.deadline) throw new CliError(`error when evicting ${what}: global timeout reached: ${b.timeout}`);
    }
  }
  try {
    await waitUntilGone(client, path, pod.metadata.uid, `pods/${name}`, b.deadline - Date.now());
  } catch (e) {
    if (e instanceof ServerError || Date.now() < b.deadline) throw e;
    throw new CliError(`error when waiting for pod "${name}" in namespace "${ns}" to terminate: global timeout reached: ${b.timeout}`);
  }
  console.log(`pod/${name} evicted`);
}

// errorText: the server's own message (as kubectl's %v of a StatusError), else the error's.
function errorText(e: unknown): string {
  if (e instanceof ServerError && e.status?.message) return e.status.message;
  return e instanceof Error ? e.message : String(e);
}
