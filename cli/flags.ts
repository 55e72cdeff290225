// flags: the settings every API verb shares — where the kubeconfig is, which context, which
// namespace — and the client they add up to.
import type { OptionDef, OptionValues } from '../shared/options.js';
import { ApiClient } from './client.js';
import { kubeconfigPath, loadConnection } from './kubeconfig.js';

const CONNECTION = 'Connection';

export const CONNECTION_OPTIONS: OptionDef[] = [
  {
    name: 'kubeconfig',
    type: 'string',
    help: 'kubeconfig file (else $KUBECONFIG, ./data/kubeconfig.yaml, /var/lib/bramble/server/kubeconfig.yaml, ~/.kube/config)',
    category: CONNECTION,
  },
  { name: 'context', type: 'string', help: 'kubeconfig context to use (default: its current-context)', category: CONNECTION },
];

export const NAMESPACE_OPTION: OptionDef = {
  name: 'namespace',
  short: 'n',
  type: 'string',
  help: 'namespace (default: the context\'s, else "default")',
  category: CONNECTION,
};

export const ALL_NAMESPACES_OPTION: OptionDef = {
  name: 'all-namespaces',
  short: 'A',
  type: 'boolean',
  default: false,
  help: 'list across all namespaces',
  category: CONNECTION,
};

export interface Session {
  client: ApiClient;
  /** namespace: the one to use for namespaced kinds. */
  namespace: string;
  /** explicitNamespace: whether -n was given (apply refuses a manifest in another namespace then). */
  explicitNamespace: boolean;
}

export function session(values: OptionValues): Session {
  const conn = loadConnection(kubeconfigPath(values.kubeconfig), values.context);
  const explicit = typeof values.namespace === 'string' && values.namespace !== '';
  return { client: new ApiClient(conn), namespace: explicit ? values.namespace : (conn.namespace ?? 'default'), explicitNamespace: explicit };
}
