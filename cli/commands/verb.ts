// verb: the frame every API verb shares — --help from its option table, flag parsing, and
// printing the server's own errors as kubectl does (no "error: " prefix).
import { helpText, type OptionDef, type OptionValues, resolveOptions } from '../../shared/options.js';
import { ServerError } from '../errors.js';
import type { Command } from './command.js';

export interface VerbSpec {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  options: OptionDef[];
  run(values: OptionValues, positionals: string[]): Promise<number>;
}

export function defineVerb(spec: VerbSpec): Command {
  return {
    name: spec.name,
    aliases: spec.aliases,
    summary: spec.summary,
    async run(argv) {
      if (argv.includes('--help') || argv.includes('-h')) {
        console.log(helpText(spec.usage, spec.options));
        return 0;
      }
      const { values, positionals } = resolveOptions(spec.options, argv);
      try {
        return await spec.run(values, positionals);
      } catch (e) {
        if (!(e instanceof ServerError)) throw e;
        console.error(e.message);
        return 1;
      }
    },
  };
}
