// paths: turns a Kubernetes REST path into (resource, namespace, name, subresource).
//
//   /api/v1/<plural>[/<name>[/<sub>]]                          cluster-scoped, or all namespaces
//   /api/v1/namespaces/<ns>/<plural>[/<name>[/<sub>]]          namespaced
//   /apis/<group>/<version>/...                                the same below a group
//   .../watch/...                                              legacy watch paths
import { findResource, type ResourceInfo } from '../../shared/api/resources.js';
import { ApiError } from './errors.js';

export interface ResourcePath {
  info: ResourceInfo;
  namespace: string; // '' for cluster-scoped kinds and all-namespace lists
  name?: string;
  subresource?: string;
  legacyWatch: boolean;
}

const notFoundPath = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource');

export function parseResourcePath(group: string, version: string, rest: string[]): ResourcePath {
  let segs = rest.filter((s) => s !== '');
  let legacyWatch = false;
  if (segs[0] === 'watch') {
    legacyWatch = true;
    segs = segs.slice(1);
  }
  const ns = segs[0] === 'namespaces' && segs.length >= 3 && !(group === '' && isNamespaceSub(segs)) ? segs[1] : undefined;
  const tail = ns !== undefined ? segs.slice(2) : segs;
  const [plural, name, subresource, ...extra] = tail;
  if (!plural || extra.length) throw notFoundPath();
  const info = findResource(group, version, plural);
  if (!info) throw notFoundPath();
  if (ns !== undefined && !info.namespaced) throw notFoundPath();
  if (subresource && !info.subresources.includes(subresource as never)) throw notFoundPath();
  return { info, namespace: ns ?? '', name: name ? decodeURIComponent(name) : undefined, subresource, legacyWatch };
}

// isNamespaceSub tells /namespaces/<name>/status (a namespace's own subresource) from
// /namespaces/<ns>/<plural> (a collection inside it).
function isNamespaceSub(segs: string[]): boolean {
  return segs.length === 3 && (segs[2] === 'status' || segs[2] === 'finalize');
}
