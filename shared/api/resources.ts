// resources: every kind the API serves, in one table. Discovery, routing, the store keys and the
// CLI's name resolution all read it, so adding a kind starts (and mostly ends) here.

export interface ResourceInfo {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
}

export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'eviction';

const ALL = ['all'];

export const RESOURCES: ResourceInfo[] = [
  r('', 'Namespace', 'namespaces', false, ['ns'], [], ['status']),
  r('', 'Node', 'nodes', false, ['no'], [], ['status']),
  r('', 'Pod', 'pods', true, ['po'], ALL, ['status', 'binding', 'log', 'eviction']),
  r('', 'Service', 'services', true, ['svc'], ALL, ['status']),
  r('', 'Endpoints', 'endpoints', true, ['ep'], [], []),
  r('', 'ConfigMap', 'configmaps', true, ['cm'], [], []),
  r('', 'Secret', 'secrets', true, [], [], []),
  r('', 'Event', 'events', true, ['ev'], [], []),
  r('coordination.k8s.io', 'Lease', 'leases', true, [], [], []),
  // EndpointSlice has no short name in Kubernetes either.
  r('discovery.k8s.io', 'EndpointSlice', 'endpointslices', true, [], [], []),
  r('apps', 'Deployment', 'deployments', true, ['deploy'], ALL, ['status', 'scale']),
  r('apps', 'ReplicaSet', 'replicasets', true, ['rs'], ALL, ['status', 'scale']),
  r('policy', 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], [], ['status']),
];

function r(
  group: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[],
  categories: string[],
  subresources: Subresource[],
): ResourceInfo {
  return { group, version: 'v1', kind, plural, singular: kind.toLowerCase(), namespaced, shortNames, categories, subresources };
}

export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** storeResource is the resource's store key prefix: "pods", "apps/deployments". */
export function storeResource(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.plural}` : info.plural;
}

/** qualifiedName is how Kubernetes names a resource in messages: "pods", "deployments.apps". */
export function qualifiedName(info: ResourceInfo): string {
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}

const byGvr = new Map(RESOURCES.map((i) => [`${i.group}/${i.version}/${i.plural}`, i]));
const byKind = new Map(RESOURCES.map((i) => [`${apiVersionOf(i)}/${i.kind}`, i]));

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byGvr.get(`${group}/${version}/${plural}`);
}

export function findKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** lookupResource resolves what a user types (pods, pod, po, deploy, deployments.apps) to a kind. */
export function lookupResource(name: string): ResourceInfo | undefined {
  const n = name.toLowerCase();
  const [base, ...groupParts] = n.split('.');
  const group = groupParts.join('.');
  return RESOURCES.find(
    (i) =>
      (!group || i.group === group) &&
      (i.plural === base || i.singular === base || i.shortNames.includes(base) || i.kind.toLowerCase() === base),
  );
}

export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const i of RESOURCES) seen.set(apiVersionOf(i), { group: i.group, version: i.version });
  return [...seen.values()];
}
