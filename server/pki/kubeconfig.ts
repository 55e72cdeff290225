// kubeconfig: writes the file kubectl reads to reach this server — the server URL, the CA to trust
// (inline, so the file stands alone) and the admin bearer token.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from './files.js';

export interface KubeconfigOptions {
  /** server: the API URL, e.g. https://192.168.1.10:6443. */
  server: string;
  caPem: string;
  token: string;
  clusterName?: string;
  user?: string;
}

/** kubeconfigYaml renders a kubeconfig (apiVersion v1, kind Config) with one cluster, one user and
 *  one context named after the cluster, which is also the current context. */
export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const cluster = opts.clusterName ?? 'bramble';
  const user = opts.user ?? 'admin';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caPem).toString('base64') },
      },
    ],
    users: [{ name: user, user: { token: opts.token } }],
    contexts: [{ name: cluster, context: { cluster, user } }],
    'current-context': cluster,
    preferences: {},
  };
  return stringify(config);
}

/** writeKubeconfig writes the kubeconfig with mode 0600 (it holds the admin token); a missing
 *  parent directory is created private (0700). */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  // mkdir's mode applies only to directories it creates, so an existing parent (~/.kube, /etc/…)
  // keeps the mode its owner gave it.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, kubeconfigYaml(opts), 0o600);
}
