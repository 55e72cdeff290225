// agent: `bramble agent` joins this machine to a cluster and runs its pods until SIGINT/SIGTERM.
// The agent itself (mqtt.js, dockerode, …) is imported only when it runs, so `--help` stays fast.
import { AGENT_OPTIONS, agentConfig } from '../../agent/config.js';
import { helpText, resolveOptions } from '../../shared/options.js';
import type { Command } from './command.js';

export const agentCommand: Command = {
  name: 'agent',
  summary: 'run a node: join a cluster, report the node and run its pods',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(helpText('bramble agent --server URL --token TOKEN [flags]', AGENT_OPTIONS));
      return 0;
    }
    const { values } = resolveOptions(AGENT_OPTIONS, argv);
    const cfg = agentConfig(values);
    const stopJoin = new AbortController();
    let agent: Awaited<ReturnType<typeof import('../../agent/agent.js').startAgent>> | undefined;
    let stopping = false;
    // stop: the first signal stops cleanly (the server hears 'shutdown', not a lost node); a
    // second one exits at once.
    const stop = async () => {
      if (stopping) process.exit(130);
      stopping = true;
      stopJoin.abort();
      if (!agent) process.exit(0);
      agent.logger.info({}, 'shutting down');
      await agent.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const { startAgent } = await import('../../agent/agent.js');
    agent = await startAgent(cfg, { signal: stopJoin.signal });
    return undefined;
  },
};
