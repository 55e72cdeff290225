// describe: `bramble describe KIND [NAME…]`, a readable account of objects in kubectl's layout,
// with their events. Kinds without their own describer print their fields as YAML.
import type { KubeObject } from '../../shared/api/meta.js';
import { UsageError } from '../../shared/options.js';
import type { Describer } from '../describe/context.js';
import { describeDeployment } from '../describe/deployment.js';
import { describeGeneric } from '../describe/generic.js';
import { describeNode } from '../describe/node.js';
import { describePod } from '../describe/pod.js';
import { describeSecret } from '../describe/secret.js';
import { describeService } from '../describe/service.js';
import { DescribeWriter } from '../describe/writer.js';
import type { ServerError } from '../errors.js';
import { CONNECTION_OPTIONS, NAMESPACE_OPTION, session } from '../flags.js';
import { fetchObjects, noResources } from '../get/fetch.js';
import { parseSelections } from '../resources.js';
import { reportErrors } from './shared.js';
import { defineVerb } from './verb.js';

const DESCRIBERS: Record<string, Describer> = {
  Pod: describePod,
  Deployment: describeDeployment,
  Node: describeNode,
  Service: describeService,
  Secret: describeSecret,
};

export const describeCommand = defineVerb({
  name: 'describe',
  summary: 'show an object in detail, with its events (like kubectl describe)',
  usage: 'bramble describe KIND [NAME…] | KIND/NAME [-n NAMESPACE] [-l SELECTOR]',
  options: [{ name: 'selector', short: 'l', type: 'string', help: 'label selector, e.g. app=web', category: 'Describe' }, NAMESPACE_OPTION, ...CONNECTION_OPTIONS],
  async run(values, positionals) {
    const sels = parseSelections(positionals);
    if (values.selector && sels.some((s) => s.names.length)) throw new UsageError('name cannot be provided when a selector is specified');
    const s = session(values);
    const errors: ServerError[] = [];
    const texts: string[] = [];
    for (const sel of sels) {
      const scope = { namespace: s.namespace, labelSelector: values.selector };
      const { result, errors: missing } = await fetchObjects(s.client, sel, scope);
      const objects = result ?? [];
      // Like kubectl, a name that matches nothing exactly describes the objects it prefixes
      // (`describe pod web` → web-7d4b9-x2x8q).
      if (missing.length) {
        const { result: all = [] } = await fetchObjects(s.client, { info: sel.info, names: [] }, scope);
        for (const e of missing) {
          const name = e.status?.details?.name ?? '';
          const matches = all.filter((o) => name && o.metadata.name?.startsWith(name));
          if (matches.length) objects.push(...matches);
          else errors.push(e);
        }
      }
      for (const obj of objects) texts.push(await describeOne(obj, s.client));
    }
    if (texts.length === 0 && errors.length === 0) console.error(noResources({ namespace: s.namespace }));
    // kubectl separates several descriptions with a blank line.
    process.stdout.write(texts.join('\n\n'));
    return reportErrors(errors);
  },
});

export async function describeOne(obj: KubeObject, client: Parameters<Describer>[2]['client']): Promise<string> {
  const w = new DescribeWriter();
  await (DESCRIBERS[obj.kind] ?? describeGeneric)(obj, w, { client, now: Date.now() });
  return w.toString();
}
