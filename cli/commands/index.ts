// index: every CLI verb. The server verb is loaded only when run: importing it pulls in the
// whole control plane (libSQL, hono, PKI), which would add about half a second to every
// `bramble get` — more on a Raspberry Pi.
import { applyCommand } from './apply.js';
import type { Command } from './command.js';
import { cordonCommand, uncordonCommand } from './cordon.js';
import { deleteCommand } from './delete.js';
import { describeCommand } from './describe.js';
import { drainCommand } from './drain.js';
import { getCommand } from './get.js';
import { rolloutCommand } from './rollout.js';
import { scaleCommand } from './scale.js';
import { tokenCommand } from './token.js';
import { versionCommand } from './version.js';

const lazyServerCommand: Command = {
  name: 'server',
  summary: 'run the control plane (API, scheduler, controllers, MQTT broker)',
  async run(argv) {
    const { serverCommand } = await import('./server.js');
    return serverCommand.run(argv);
  },
};

export const COMMANDS: Command[] = [
  lazyServerCommand,
  { name: 'agent', summary: 'run a node: join a cluster, report the node and run its pods', run: async (argv) => (await import('./agent.js')).agentCommand.run(argv) },
  applyCommand,
  getCommand,
  describeCommand,
  deleteCommand,
  scaleCommand,
  rolloutCommand,
  cordonCommand,
  uncordonCommand,
  drainCommand,
  tokenCommand,
  versionCommand,
];
