// exec: how the agent runs iptables and ip on its host — argv only (no shell), input on stdin,
// output captured, a timeout so a wedged xtables lock cannot stall the agent.
import { spawn } from 'node:child_process';
import type { Exec } from '../proxy/iptables.js';

export const hostExec: Exec = (argv, input) =>
  new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: `${argv[0]}: ${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => {}); // the command may exit before reading its input
    child.stdin.end(input ?? '');
  });
