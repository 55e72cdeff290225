// delete: `bramble delete`, objects named on the command line, picked by a label selector, or
// read from manifests. Each DELETE carries DeleteOptions (propagation from --cascade); then,
// like kubectl, it waits until the objects are really gone (finalizers, graceful pod shutdown).
import type { ResourceInfo } from '../../shared/api/resources.js';
import { type OptionValues, UsageError } from '../../shared/options.js';
import { CliError, ServerError } from '../errors.js';
import { CONNECTION_OPTIONS, NAMESPACE_OPTION, type Session, session } from '../flags.js';
import { mappingOf, readManifests } from '../manifests.js';
import { kindRef, parseSelections, resourcePath } from '../resources.js';
import { FILENAME_OPTION } from './apply.js';
import { reportErrors } from './shared.js';
import { defineVerb } from './verb.js';
import { waitUntilGone } from './wait-gone.js';

const DELETE = 'Delete';
const CASCADE: Record<string, string> = { background: 'Background', true: 'Background', foreground: 'Foreground', orphan: 'Orphan', false: 'Orphan' };

interface Target {
  info: ResourceInfo;
  namespace: string;
  name: string;
  /** uid: of the deleted object, so a successor with the same name does not count as "still there". */
  uid?: string;
}

export const deleteCommand = defineVerb({
  name: 'delete',
  summary: 'delete objects by name, selector or manifest (like kubectl delete)',
  usage: 'bramble delete (-f FILE|DIR|- | KIND NAME… | KIND/NAME… | KIND -l SELECTOR | KIND --all) [-n NAMESPACE]',
  options: [
    FILENAME_OPTION,
    { name: 'selector', short: 'l', type: 'string', help: 'delete the objects this label selector matches', category: DELETE },
    { name: 'all', type: 'boolean', default: false, help: 'delete every object of the kind in the namespace', category: DELETE },
    { name: 'cascade', type: 'string', default: 'background', help: 'background, foreground or orphan: what happens to dependents', category: DELETE },
    { name: 'wait', type: 'boolean', default: true, help: 'wait until the objects are gone', category: DELETE },
    { name: 'timeout', type: 'duration', default: '60s', help: 'how long --wait waits', category: DELETE },
    { name: 'grace-period', type: 'number', default: -1, help: 'seconds a pod gets to stop (-1: its own setting)', category: DELETE },
    { name: 'now', type: 'boolean', default: false, help: 'stop pods at once (grace period 1)', category: DELETE },
    { name: 'ignore-not-found', type: 'boolean', default: false, help: 'a missing object is not an error', category: DELETE },
    NAMESPACE_OPTION,
    ...CONNECTION_OPTIONS,
  ],
  async run(values, positionals) {
    const policy = CASCADE[String(values.cascade).toLowerCase()];
    if (!policy) throw new UsageError(`invalid cascade value (${values.cascade}). Must be "background", "foreground", or "orphan".`);
    const s = session(values);
    const errors: CliError[] = [];
    const targets = await targetsOf(s, values, positionals, errors);
    const body: Record<string, unknown> = { propagationPolicy: policy };
    const grace = values.now ? 1 : values.gracePeriod;
    if (grace >= 0) body.gracePeriodSeconds = grace;
    const deleted: Target[] = [];
    for (const t of targets) {
      try {
        const reply = await s.client.delete(resourcePath(t.info, t.namespace, t.name), body);
        console.log(`${kindRef(t.info)} "${t.name}" deleted`);
        deleted.push({ ...t, uid: reply?.details?.uid ?? reply?.metadata?.uid });
      } catch (e) {
        if (!(e instanceof ServerError)) throw e;
        if (!(e.code === 404 && values.ignoreNotFound)) errors.push(e);
      }
    }
    if (values.wait) {
      for (const t of deleted) await waitUntilGone(s.client, resourcePath(t.info, t.namespace, t.name), t.uid, `${t.info.plural}/${t.name}`, values.timeout);
    }
    return reportErrors(errors);
  },
});

async function targetsOf(s: Session, values: OptionValues, positionals: string[], errors: CliError[]): Promise<Target[]> {
  const files: string[] = values.filename ?? [];
  if (files.length) {
    if (positionals.length) throw new UsageError('cannot name objects on the command line together with -f');
    const targets: Target[] = [];
    for (const m of await readManifests(files)) {
      try {
        const info = mappingOf(m);
        targets.push({ info, namespace: m.object.metadata.namespace || s.namespace, name: m.object.metadata.name ?? '' });
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        errors.push(e);
      }
    }
    // Namespaces go last (apply puts them first): deleting one takes its contents with it, and
    // the objects after it in the file would then be reported as not found.
    return [...targets.filter((t) => t.info.kind !== 'Namespace'), ...targets.filter((t) => t.info.kind === 'Namespace')];
  }
  const sels = parseSelections(positionals);
  const byList = Boolean(values.selector) || values.all;
  if (byList && sels.some((x) => x.names.length)) throw new UsageError('name cannot be provided when a selector is specified');
  if (!byList && sels.some((x) => x.names.length === 0)) throw new UsageError('resource(s) were provided, but no name was specified');
  if (!byList) return sels.flatMap((x) => x.names.map((name) => ({ info: x.info, namespace: s.namespace, name })));
  const targets: Target[] = [];
  for (const { info } of sels) {
    const list = await s.client.get(resourcePath(info, s.namespace), { query: { labelSelector: values.selector } });
    for (const o of list.items ?? []) targets.push({ info, namespace: o.metadata.namespace ?? s.namespace, name: o.metadata.name });
  }
  if (targets.length === 0) console.log('No resources found');
  return targets;
}
