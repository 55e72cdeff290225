// main: the `bramble` command. One binary, many roles (like k3s): `bramble server`, `bramble
// agent`, and kubectl-like verbs that talk to the API. Errors are one readable line, never a
// stack trace.
import { UsageError } from '../shared/options.js';
import { COMMANDS } from './commands/index.js';
import { CliError } from './errors.js';

const USAGE = `bramble — a Kubernetes-shaped orchestrator for Raspberry Pi clusters

Usage: bramble COMMAND [flags]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run 'bramble COMMAND --help' for a command's flags.`;

async function main(argv: string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 1;
  }
  const cmd = COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
  if (!cmd) throw new UsageError(`unknown command "${name}" (see 'bramble --help')`);
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof CliError) {
      console.error(`error: ${err.message}`);
    } else {
      console.error(`error: ${(err as Error)?.message ?? String(err)}`);
      if (process.env.BRAMBLE_DEBUG) console.error(err);
    }
    process.exitCode = 1;
  },
);
