// server: `bramble server` runs the control plane until SIGINT/SIGTERM.
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
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      server.logger.info('shutting down');
      await server.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return undefined;
  },
};
