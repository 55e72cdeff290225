// rollout: `bramble rollout status|history|undo|restart|pause|resume deployment/NAME`, the
// Deployment lifecycle verbs of kubectl rollout, sending the same requests.
import type { ResourceInfo } from '../../shared/api/resources.js';
import { type OptionValues, UsageError } from '../../shared/options.js';
import { MERGE_PATCH, STRATEGIC_MERGE_PATCH } from '../client.js';
import { CliError } from '../errors.js';
import { CONNECTION_OPTIONS, NAMESPACE_OPTION, type Session, session } from '../flags.js';
import { objectRef, parseSelections, resourcePath } from '../resources.js';
import { rolloutHistory } from '../rollout/history.js';
import { rolloutStatus } from '../rollout/status.js';
import { rolloutUndo } from '../rollout/undo.js';
import { defineVerb } from './verb.js';
import { rfc3339 } from '../../shared/clock.js';

const ROLLOUT = 'Rollout';
const SUBCOMMANDS = ['status', 'history', 'undo', 'restart', 'pause', 'resume'];

export const rolloutCommand = defineVerb({
  name: 'rollout',
  summary: 'watch, undo, restart or pause a Deployment rollout (like kubectl rollout)',
  usage: `bramble rollout ${SUBCOMMANDS.join('|')} deployment/NAME [-n NAMESPACE]`,
  options: [
    { name: 'to-revision', type: 'number', default: 0, help: 'undo: the revision to go back to (0: the previous one)', category: ROLLOUT },
    { name: 'revision', type: 'number', default: 0, help: 'history: show this revision\'s pod template', category: ROLLOUT },
    { name: 'timeout', type: 'duration', default: '0s', help: 'status: give up after this long (0: wait for ever)', category: ROLLOUT },
    { name: 'watch', short: 'w', type: 'boolean', default: true, help: 'status: wait until the rollout is done', category: ROLLOUT },
    NAMESPACE_OPTION,
    ...CONNECTION_OPTIONS,
  ],
  async run(values, positionals) {
    const [sub, ...rest] = positionals;
    if (!sub || !SUBCOMMANDS.includes(sub)) throw new UsageError(`expected a subcommand: ${SUBCOMMANDS.join(', ')}`);
    const targets = deploymentTargets(rest);
    const s = session(values);
    for (const { info, name } of targets) {
      const code = await runOne(s, sub, info, name, values);
      if (code !== 0) return code;
    }
    return 0;
  },
});

function deploymentTargets(args: string[]): { info: ResourceInfo; name: string }[] {
  const sels = parseSelections(args);
  if (sels.some((x) => x.names.length === 0)) throw new UsageError('required resource not specified: give deployment/NAME');
  for (const { info } of sels) if (info.kind !== 'Deployment') throw new CliError(`rollout is only supported for deployments, not ${info.plural}`);
  return sels.flatMap((x) => x.names.map((name) => ({ info: x.info, name })));
}

async function runOne(s: Session, sub: string, info: ResourceInfo, name: string, values: OptionValues): Promise<number> {
  const path = resourcePath(info, s.namespace, name);
  const ref = objectRef(info, name);
  switch (sub) {
    case 'status':
      return rolloutStatus(s.client, resourcePath(info, s.namespace), name, { watch: values.watch, timeoutMs: values.timeout });
    case 'history':
      process.stdout.write(await rolloutHistory(s.client, path, ref, values.revision));
      return 0;
    case 'undo':
      console.log(`${ref} ${await rolloutUndo(s.client, path, values.toRevision)}`);
      return 0;
    case 'restart':
      await restart(s, path);
      console.log(`${ref} restarted`);
      return 0;
    default:
      await pause(s, path, ref, sub === 'pause');
      return 0;
  }
}

// restart changes the pod template (an annotation with the time), so the controller rolls out
// new pods; the same strategic merge patch kubectl sends.
async function restart(s: Session, path: string): Promise<void> {
  const d = await s.client.get(path);
  if (d.spec?.paused) throw new CliError(`can't restart paused deployment (run rollout resume first)`);
  const now = rfc3339(Date.now());
  const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now } } } } };
  await s.client.patch(path, patch, STRATEGIC_MERGE_PATCH, { query: { fieldManager: 'kubectl-rollout' } });
}

async function pause(s: Session, path: string, ref: string, paused: boolean): Promise<void> {
  const d = await s.client.get(path);
  if (Boolean(d.spec?.paused) === paused) {
    console.log(`${ref} ${paused ? 'is already paused' : 'is not paused'}`);
    return;
  }
  await s.client.patch(path, { spec: { paused } }, MERGE_PATCH, { query: { fieldManager: 'kubectl-rollout' } });
  console.log(`${ref} ${paused ? 'paused' : 'resumed'}`);
}
