// kubeconfig: finds and reads the kubeconfig that says where the API is and how to log in —
// the current context's cluster (server URL, CA) and user (bearer token or client certificate).
// Only the fields Bramble writes and kubectl commonly uses are read.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliError } from './errors.js';

export interface Connection {
  /** path: the kubeconfig it came from, for messages. */
  path: string;
  server: string;
  /** caPem: the CA to trust; undefined means the system roots. */
  caPem?: string;
  token?: string;
  certPem?: string;
  keyPem?: string;
  /** namespace: the context's default namespace, if it names one. */
  namespace?: string;
}

// DEFAULT_PATHS: what `npm start` writes, then a packaged server's data dir, then kubectl's own.
const DEFAULT_PATHS = () => [join('data', 'kubeconfig.yaml'), '/var/lib/bramble/server/kubeconfig.yaml', join(homedir(), '.kube', 'config')];

/** kubeconfigPath picks the file: --kubeconfig (or BRAMBLE_KUBECONFIG), KUBECONFIG, then the defaults. */
export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  // KUBECONFIG may be a list; kubectl merges it, Bramble takes the first file that exists.
  const fromEnv = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
  if (fromEnv.length) return fromEnv.find((p) => existsSync(p)) ?? fromEnv[0];
  const defaults = DEFAULT_PATHS();
  return defaults.find((p) => existsSync(p)) ?? defaults[defaults.length - 1];
}

export function loadConnection(path: string, context?: string): Connection {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new CliError(`cannot read kubeconfig ${path}: ${why} (run 'bramble server' first, or pass --kubeconfig FILE)`);
  }
  let doc: any;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new CliError(`kubeconfig ${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return connectionFrom(doc, path, context);
}

/** connectionFrom resolves context → cluster + user in a parsed kubeconfig. */
export function connectionFrom(doc: any, path: string, contextName?: string): Connection {
  const bad = (what: string) => new CliError(`kubeconfig ${path}: ${what}`);
  const name = contextName || doc?.['current-context'];
  if (!name) throw bad('no current-context is set');
  const ctx = named(doc.contexts, name)?.context;
  if (!ctx) throw bad(`context "${name}" not found`);
  const cluster = named(doc.clusters, ctx.cluster)?.cluster;
  if (!cluster?.server) throw bad(`cluster "${ctx.cluster}" has no server`);
  const user = named(doc.users, ctx.user)?.user ?? {};
  const base = dirname(resolve(path));
  return {
    path,
    server: String(cluster.server).replace(/\/+$/, ''),
    caPem: inlineOrFile(cluster['certificate-authority-data'], cluster['certificate-authority'], base),
    token: user.token ?? (user.tokenFile ? readFileSync(resolve(base, user.tokenFile), 'utf8').trim() : undefined),
    certPem: inlineOrFile(user['client-certificate-data'], user['client-certificate'], base),
    keyPem: inlineOrFile(user['client-key-data'], user['client-key'], base),
    namespace: ctx.namespace || undefined,
  };
}

function named(list: unknown, name: string): any {
  return Array.isArray(list) ? list.find((e) => e?.name === name) : undefined;
}

// inlineOrFile reads a kubeconfig credential given either base64 inline (*-data) or as a path,
// which kubectl resolves relative to the kubeconfig's folder.
function inlineOrFile(data: unknown, file: unknown, base: string): string | undefined {
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64').toString('utf8');
  if (typeof file === 'string' && file) return readFileSync(resolve(base, file), 'utf8');
  return undefined;
}
