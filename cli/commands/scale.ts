// scale: `bramble scale deployment/web --replicas=N`, a merge patch of the scale subresource, as
// kubectl sends it. With --current-replicas it reads the Scale first and writes it back with its
// resourceVersion, so a concurrent change makes it fail instead of being overwritten.
import { UsageError } from '../../shared/options.js';
import { MERGE_PATCH } from '../client.js';
import { CliError } from '../errors.js';
import { CONNECTION_OPTIONS, NAMESPACE_OPTION, session } from '../flags.js';
import { objectRef, parseSelections, resourcePath } from '../resources.js';
import { defineVerb } from './verb.js';

const SCALE = 'Scale';

export const scaleCommand = defineVerb({
  name: 'scale',
  summary: 'set the number of replicas of a Deployment or ReplicaSet (like kubectl scale)',
  usage: 'bramble scale KIND/NAME… | KIND NAME… --replicas=N [--current-replicas=N] [-n NAMESPACE]',
  options: [
    { name: 'replicas', type: 'number', help: 'the new number of replicas', category: SCALE },
    { name: 'current-replicas', type: 'number', help: 'only scale if the current number is this', category: SCALE },
    NAMESPACE_OPTION,
    ...CONNECTION_OPTIONS,
  ],
  async run(values, positionals) {
    const replicas = values.replicas;
    if (replicas === undefined) throw new UsageError('required flag(s) "replicas" not set');
    if (!Number.isInteger(replicas) || replicas < 0) throw new UsageError('the --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
    const sels = parseSelections(positionals);
    if (sels.some((x) => x.names.length === 0)) throw new UsageError('resource(s) were provided, but no name was specified');
    const s = session(values);
    for (const { info, names } of sels) {
      if (!info.subresources.includes('scale')) throw new CliError(`cannot scale ${info.plural}: they have no scale subresource`);
      for (const name of names) {
        const path = resourcePath(info, s.namespace, name, 'scale');
        if (values.currentReplicas === undefined) {
          await s.client.patch(path, { spec: { replicas } }, MERGE_PATCH);
        } else {
          const scale = await s.client.get(path);
          const was = scale?.spec?.replicas ?? 0;
          if (was !== values.currentReplicas) throw new CliError(`Expected replicas to be ${values.currentReplicas}, was ${was}`);
          await s.client.request('PUT', path, { body: { ...scale, spec: { ...scale.spec, replicas } } });
        }
        console.log(`${objectRef(info, name)} scaled`);
      }
    }
    return 0;
  },
});
