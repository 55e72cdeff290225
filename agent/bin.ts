// bin: the entry point of the bundled agent (dist/bramble-agent.mjs, built by
// install/bundle-agent.mjs). bin/bramble.js runs it for `bramble agent`, so a Pi loads one file
// with only the agent's code instead of the whole CLI and its module tree.
import Dockerode from 'dockerode';
import { agentCommand } from '../cli/commands/agent.js';
import { UsageError } from '../shared/options.js';
import { provideDockerode } from './runtime/dockerode-lean.js';

// Bundled in: install/bundle-agent.mjs replaces its gRPC and ssh2 parts with an empty module.
provideDockerode(Dockerode);

agentCommand.run(process.argv.slice(3)).catch((err: unknown) => {
  console.error(`error: ${err instanceof UsageError ? err.message : ((err as Error)?.message ?? String(err))}`);
  process.exitCode = 1;
});
