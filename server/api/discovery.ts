// discovery: /api, /apis and the per-group resource lists, in the aggregated form (v2 and
// v2beta1, chosen from the Accept header with the exact Content-Type kubectl requires) and in
// the legacy form for older clients.
import { apiVersionOf, groupVersions, RESOURCES, type ResourceInfo } from '../../shared/api/resources.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUB_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  binding: ['create'],
  log: ['get'],
  eviction: ['create'],
};

function subKind(info: ResourceInfo, sub: string): { group: string; version: string; kind: string } {
  if (sub === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  if (sub === 'binding') return { group: '', version: 'v1', kind: 'Binding' };
  if (sub === 'eviction') return { group: 'policy', version: 'v1', kind: 'Eviction' };
  return { group: info.group, version: info.version, kind: info.kind };
}

/** aggregatedVersion picks v2 or v2beta1 from an Accept header, or undefined for legacy JSON. */
export function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('g') !== 'apidiscovery.k8s.io' || params.get('as') !== 'APIGroupDiscoveryList') continue;
    const v = params.get('v');
    if (v === 'v2' || v === 'v2beta1') return v;
  }
  return undefined;
}

export function aggregatedContentType(v: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}

// groupMeta: the core group's entry has no name.
function groupMeta(group: string): { name?: string; creationTimestamp: null } {
  return group ? { name: group, creationTimestamp: null } : { creationTimestamp: null };
}

/** aggregated builds the APIGroupDiscoveryList for the core group (/api) or the named groups (/apis). */
export function aggregated(v: 'v2' | 'v2beta1', core: boolean) {
  const gvs = groupVersions().filter((gv) => (gv.group === '') === core);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${v}`,
    metadata: {},
    items: gvs.map((gv) => ({
      metadata: groupMeta(gv.group),
      versions: [
        {
          version: gv.version,
          freshness: 'Current',
          resources: RESOURCES.filter((i) => i.group === gv.group && i.version === gv.version).map((i) => ({
            resource: i.plural,
            responseKind: { group: i.group, version: i.version, kind: i.kind },
            scope: i.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: i.singular,
            verbs: VERBS,
            ...(i.shortNames.length ? { shortNames: i.shortNames } : {}),
            ...(i.categories.length ? { categories: i.categories } : {}),
            ...(i.subresources.length
              ? { subresources: i.subresources.map((s) => ({ subresource: s, responseKind: subKind(i, s), verbs: SUB_VERBS[s] })) }
              : {}),
          })),
        },
      ],
    })),
  };
}

export function legacyCore() {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
}

export function legacyGroups() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupVersions()
      .filter((gv) => gv.group !== '')
      .map((gv) => {
        const v = { groupVersion: `${gv.group}/${gv.version}`, version: gv.version };
        return { name: gv.group, versions: [v], preferredVersion: v };
      }),
  };
}

/** resourceList is /api/v1 or /apis/<group>/<version>; undefined when the group-version is unknown. */
export function resourceList(group: string, version: string) {
  const infos = RESOURCES.filter((i) => i.group === group && i.version === version);
  if (!infos.length) return undefined;
  const resources = [];
  for (const i of infos) {
    resources.push({
      name: i.plural,
      singularName: i.singular,
      namespaced: i.namespaced,
      kind: i.kind,
      verbs: VERBS,
      ...(i.shortNames.length ? { shortNames: i.shortNames } : {}),
      ...(i.categories.length ? { categories: i.categories } : {}),
    });
    for (const s of i.subresources) {
      const k = subKind(i, s);
      resources.push({ name: `${i.plural}/${s}`, singularName: '', namespaced: i.namespaced, group: k.group, version: k.version, kind: k.kind, verbs: SUB_VERBS[s] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(infos[0]), resources };
}
