// resources: what the user typed (po, deploy/web, deployments.apps) → the kinds and names to
// act on, and the ways kubectl names them back ("deployment.apps/web", API paths).
import type { KubeObject } from '../shared/api/meta.js';
import { apiVersionOf, lookupResource, RESOURCES, type ResourceInfo } from '../shared/api/resources.js';
import { UsageError } from '../shared/options.js';
import { CliError } from './errors.js';

export interface Selection {
  info: ResourceInfo;
  /** names: empty means every object of the kind (filtered by a selector, if any). */
  names: string[];
}

export function resolveKind(typed: string, allowAll = false): ResourceInfo[] {
  // `get all` means the kinds in the "all" category, as discovery lists them.
  if (allowAll && typed.toLowerCase() === 'all') return RESOURCES.filter((r) => r.categories.includes('all'));
  const info = lookupResource(typed);
  if (!info) throw new CliError(`the server doesn't have a resource type "${typed}"`);
  return [info];
}

/** parseSelections reads `KIND[,KIND] [NAME…]` or `KIND/NAME…`, like kubectl. */
export function parseSelections(args: string[], allowAll = false): Selection[] {
  if (args.length === 0) throw new UsageError('you must specify the type of resource (e.g. pods, deployments, nodes)');
  if (args[0].includes('/')) return slashForm(args);
  if (args.slice(1).some((a) => a.includes('/'))) {
    throw new UsageError('there is no need to specify a resource type as a separate argument when passing arguments in resource/name form');
  }
  const kinds = args[0].split(',').filter(Boolean).flatMap((k) => resolveKind(k, allowAll));
  const names = args.slice(1);
  return unique(kinds).map((info) => ({ info, names }));
}

function slashForm(args: string[]): Selection[] {
  const out: Selection[] = [];
  for (const a of args) {
    const [kind, name, extra] = a.split('/');
    if (!a.includes('/') || !kind || !name || extra !== undefined) {
      throw new UsageError(`arguments in resource/name form must have a single resource and name: "${a}"`);
    }
    const [info] = resolveKind(kind);
    const sel = out.find((s) => s.info === info);
    if (sel) sel.names.push(name);
    else out.push({ info, names: [name] });
  }
  return out;
}

function unique(infos: ResourceInfo[]): ResourceInfo[] {
  return [...new Set(infos)];
}

/** kindRef: "deployment.apps", "pod" — how kubectl prefixes names in messages. */
export function kindRef(info: ResourceInfo): string {
  return info.group ? `${info.kind.toLowerCase()}.${info.group}` : info.kind.toLowerCase();
}

/** objectRef: "deployment.apps/web". */
export function objectRef(info: ResourceInfo, name: string): string {
  return `${kindRef(info)}/${name}`;
}

/** resourcePath: the API path of a collection, an object or a subresource. */
export function resourcePath(info: ResourceInfo, namespace: string | undefined, name?: string, subresource?: string): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${info.plural}${obj}${subresource ? `/${subresource}` : ''}`;
}

/** typedObject fills in apiVersion and kind, which list items come without; kubectl prints them. */
export function typedObject(info: ResourceInfo, o: KubeObject): KubeObject {
  const { apiVersion, kind, ...rest } = o;
  return { apiVersion: apiVersion ?? apiVersionOf(info), kind: kind ?? info.kind, ...rest } as KubeObject;
}
