// proc: child processes for the lab — one asynchronous runner with a timeout that never throws
// on a non-zero exit (callers decide), and a throwing variant for setup steps that must work.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface ExecResult {
  code: number; // exit code; 124 after a timeout (like timeout(1)), 128+n after signal n
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ExecOptions {
  input?: string; // written to stdin, which is then closed
  env?: Record<string, string>; // added to the test process's environment
  timeoutMs?: number; // default 60 s; the process gets SIGKILL after it
  cwd?: string;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

// exec runs argv[0] with the rest as arguments and resolves when it has exited.
export function exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${argv[0]}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const exit = timedOut ? 124 : (code ?? 128 + (SIGNALS[signal ?? ''] ?? 1));
      resolve({ code: exit, stdout, stderr, timedOut });
    });
    child.stdin!.on('error', () => {}); // the command may exit without reading its input
    child.stdin!.end(opts.input ?? '');
  });
}

// run is exec for steps that must succeed: it returns stdout and throws with stderr otherwise.
export async function run(argv: string[], opts: ExecOptions = {}): Promise<string> {
  const r = await exec(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

// sh runs a shell script with `set -e`.
export function sh(script: string, opts: ExecOptions = {}): Promise<string> {
  return run(['sh', '-ec', script], opts);
}

// pidAlive is true while a process exists and is not a zombie.
export async function pidAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
