// kubectl: runs a specific real kubectl binary against a test server, with a fresh discovery
// cache per run (kubectl caches discovery by host:port for hours).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = '/usr/lib/google-cloud-sdk/bin';

export function kubectlPath(minor: number): string | undefined {
  const p = join(DIR, `kubectl.1.${minor}`);
  return existsSync(p) ? p : undefined;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

// kubectl runs asynchronously: a synchronous spawn would freeze the test process, and with it
// the fake kubelet that keeps the test node's lease fresh.
export function kubectl(minor: number, kubeconfig: string, args: string[], input?: string): Promise<KubectlResult> {
  const bin = kubectlPath(minor);
  if (!bin) throw new Error(`kubectl 1.${minor} is not installed in ${DIR}`);
  const cache = mkdtempSync(join(tmpdir(), 'kubecache-'));
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: cache, HOME: cache } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
