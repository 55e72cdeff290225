// kubectl: runs a specific real kubectl binary against a test server, with a fresh discovery
// cache per run (kubectl caches discovery by host:port for hours).
import { spawnSync } from 'node:child_process';
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

export function kubectl(minor: number, kubeconfig: string, args: string[], input?: string): KubectlResult {
  const bin = kubectlPath(minor);
  if (!bin) throw new Error(`kubectl 1.${minor} is not installed in ${DIR}`);
  const cache = mkdtempSync(join(tmpdir(), 'kubecache-'));
  const r = spawnSync(bin, args, {
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: cache, HOME: cache },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
