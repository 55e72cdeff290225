// server: `bramble server` runs the control plane until SIGINT/SIGTERM.
import { join } from 'node:path';
import { helpText, resolveOptions } from '../../shared/options.js';
import { SERVER_OPTIONS, serverConfig } from '../../server/config.js';
import { startServer } from '../../server/server.js';
import type { Command } from './command.js';

export const serverCommand: Command = {
  name: 'server',
  summary: 'run the control plane (API, scheduler, controllers, MQTT broker)',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(helpText('bramble server [flags]', SERVER_OPTIONS));
      return 0;
    }
    const { values } = resolveOptions(SERVER_OPTIONS, argv);
    const cfg = serverConfig(values);
    const server = await startServer(cfg);
    // One-node default: unless --no-agent, this host runs an agent too, joined with the server's
    // own node token, so `npm start` on a machine with Docker is a working cluster.
    const agent = cfg.noAgent ? undefined : await startBuiltInAgent(cfg.dataDir, cfg.nodeName, cfg.logLevel, server.port);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      server.logger.info('shutting down');
      await agent?.close();
      await server.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return undefined;
  },
};

async function startBuiltInAgent(dataDir: string, nodeName: string, logLevel: string, port: number) {
  const [{ AGENT_OPTIONS, agentConfig }, { startAgent }] = await Promise.all([import('../../agent/config.js'), import('../../agent/agent.js')]);
  const argv = ['--server', `https://127.0.0.1:${port}`, '--token-file', join(dataDir, 'node-token'), '--data-dir', join(dataDir, 'agent'), '--node-name', nodeName, '--log-level', logLevel];
  // Environment variables (BRAMBLE_DOCKER_HOST, …) still apply to the built-in agent; the
  // server's config file does not (it holds server settings).
  const env = { ...process.env, BRAMBLE_CONFIG: undefined };
  return startAgent(agentConfig(resolveOptions(AGENT_OPTIONS, argv, env).values));
}
