// fake-script: what a fake container's process does, read from its command line, so pod-worker
// tests can write ordinary manifests: `sh -c 'echo starting; sleep 2; exit 1'` prints, waits two
// (clock) seconds and exits 1. Understood: echo [-n] (`>&2` for stderr), sleep N[s|m|h]|infinity,
// exit [N], true, false, `:`, NAME=value, exec, and `;` / `&&` / `||` / newlines between commands.
// `sh` with no -c exits 0 (no stdin). Any other program "runs": a server until stopped, or for an
// exec, a command that succeeds silently. No loops, no pipes, no variables: not a shell.

export interface ScriptIO {
  write(stream: 'stdout' | 'stderr', text: string): void;
  /** sleep resolves after ms of clock time; it never resolves once the process is gone. */
  sleep(ms: number): Promise<void>;
}

/** Outcome: how a process ended, or that it runs until something stops it. */
export type Outcome = { exitCode: number } | { runs: true };

type Op = ';' | '&&' | '||';
interface Command {
  words: string[];
  /** after: how this command is joined to the one before it. */
  after: Op;
}

const SHELLS = new Set(['sh', 'ash', 'bash', 'dash']);
const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** parse reads a script into commands (quotes are honoured, other shell syntax is just words). */
export function parse(script: string): Command[] {
  const commands: Command[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let after: Op = ';';
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = (next: Op) => {
    endWord();
    if (words.length > 0) commands.push({ words, after });
    words = [];
    after = next;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    const two = script.slice(i, i + 2);
    if (c === "'" || c === '"') {
      const close = script.indexOf(c, i + 1);
      const end = close < 0 ? script.length : close;
      word = (word ?? '') + script.slice(i + 1, end);
      i = end;
    } else if (two === '&&' || two === '||') {
      endCommand(two);
      i++;
    } else if (c === ';' || c === '\n') {
      endCommand(';');
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else {
      word = (word ?? '') + c;
    }
  }
  endCommand(';');
  return commands;
}

/** commandsOf turns a process's argv into commands: `sh -c SCRIPT` is parsed, anything else is one command. */
export function commandsOf(argv: string[]): Command[] {
  if (argv.length > 0 && SHELLS.has(basename(argv[0]))) {
    return argv[1] === '-c' ? parse(argv[2] ?? '') : [];
  }
  return argv.length > 0 ? [{ words: argv, after: ';' }] : [];
}

const seconds = (s: string | undefined): number => {
  const m = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(s ?? '');
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 'm' ? 60 : m[2] === 'h' ? 3600 : 1);
};

/**
 * run plays a process's commands. For an unknown program, `unknown` says what happens: 'runs'
 * (the main process of a container: a server) or 'succeeds' (an exec).
 */
export async function run(argv: string[], io: ScriptIO, unknown: 'runs' | 'succeeds'): Promise<Outcome> {
  let status = 0;
  for (const { words: raw, after } of commandsOf(argv)) {
    if ((after === '&&' && status !== 0) || (after === '||' && status === 0)) continue;
    let words = [...raw];
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift();
    if (words[0] === 'exec') words = words.slice(1);
    const toStderr = words.includes('>&2') || words.includes('1>&2');
    words = words.filter((w) => !/^\d?>&\d$/.test(w));
    const [program = '', ...rest] = words;
    switch (basename(program)) {
      case '':
      case ':':
      case 'true':
        status = 0;
        break;
      case 'false':
        status = 1;
        break;
      case 'echo': {
        const noNewline = rest[0] === '-n';
        const text = (noNewline ? rest.slice(1) : rest).join(' ');
        io.write(toStderr ? 'stderr' : 'stdout', noNewline ? text : `${text}\n`);
        status = 0;
        break;
      }
      case 'sleep':
        if (rest[0] === 'infinity') return { runs: true };
        await io.sleep(seconds(rest[0]) * 1000);
        status = 0;
        break;
      case 'exit':
        return { exitCode: rest[0] === undefined ? status : Number(rest[0]) & 255 };
      default:
        if (SHELLS.has(basename(program)) && rest[0] !== '-c') {
          status = 0;
          break;
        }
        if (SHELLS.has(basename(program))) {
          const inner = await run(words, io, unknown);
          if ('runs' in inner) return inner;
          status = inner.exitCode;
          break;
        }
        if (unknown === 'runs') return { runs: true };
        status = 0;
    }
  }
  return { exitCode: status };
}
