// apply: `bramble apply -f FILE|DIR|-`, kubectl's client-side apply. For each object: GET it;
// if missing, POST it with the last-applied annotation; if present, PATCH the three-way merge
// patch (see apply/three-way.ts), or send nothing and say "unchanged". Namespaces go first so the
// objects in them can follow in the same run; one object's failure does not stop the others.
import type { KubeObject } from '../../shared/api/meta.js';
import type { ResourceInfo } from '../../shared/api/resources.js';
import { type OptionDef, UsageError } from '../../shared/options.js';
import { LAST_APPLIED, lastAppliedOf, withLastApplied } from '../apply/last-applied.js';
import { isEmptyPatch, threeWayMergePatch } from '../apply/three-way.js';
import { MERGE_PATCH } from '../client.js';
import { CliError, ServerError } from '../errors.js';
import { CONNECTION_OPTIONS, NAMESPACE_OPTION, type Session, session } from '../flags.js';
import { type Manifest, mappingOf, readManifests } from '../manifests.js';
import { objectRef, resourcePath } from '../resources.js';
import { getOrUndefined, reportErrors, withContext } from './shared.js';
import { defineVerb } from './verb.js';

export const FILENAME_OPTION: OptionDef = {
  name: 'filename',
  short: 'f',
  type: 'list',
  help: 'manifest file, folder (its *.yaml, *.yml, *.json) or - for stdin; repeatable',
  category: 'Apply',
};

const FIELD_MANAGER = { fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' };

export const applyCommand = defineVerb({
  name: 'apply',
  summary: 'create or update objects from manifests (like kubectl apply)',
  usage: 'bramble apply -f FILE|DIR|- [-n NAMESPACE]',
  options: [FILENAME_OPTION, NAMESPACE_OPTION, ...CONNECTION_OPTIONS],
  async run(values) {
    const files: string[] = values.filename ?? [];
    if (files.length === 0) throw new UsageError('must specify -f FILE|DIR|-');
    const manifests = namespacesFirst(await readManifests(files));
    if (manifests.length === 0) throw new CliError('no objects passed to apply');
    const s = session(values);
    const errors: CliError[] = [];
    for (const m of manifests) {
      try {
        console.log(await applyOne(s, m));
      } catch (e) {
        if (!(e instanceof ServerError) && !(e instanceof ManifestError)) throw e;
        errors.push(e);
      }
    }
    return reportErrors(errors);
  },
});

/** ManifestError is a problem with one object of the set; the others are still applied. */
class ManifestError extends CliError {}

async function applyOne(s: Session, m: Manifest): Promise<string> {
  const info = wrapManifest(() => mappingOf(m));
  const obj = wrapManifest(() => prepare(s, info, m));
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name!;
  const modified = withLastApplied(obj);
  const live = await getOrUndefined(s.client, resourcePath(info, ns, name));
  if (!live) {
    await withContext(`error when creating "${m.source}"`, () => s.client.create(resourcePath(info, ns), modified, { query: FIELD_MANAGER }));
    return `${objectRef(info, name)} created`;
  }
  const last = lastAppliedOf(live);
  if (!last) {
    console.error(
      `Warning: resource ${info.plural}/${name} is missing the ${LAST_APPLIED} annotation which is required by bramble apply. The missing annotation will be patched automatically.`,
    );
  }
  const patch = threeWayMergePatch(last, modified, live);
  if (isEmptyPatch(patch)) return `${objectRef(info, name)} unchanged`;
  await withContext(`error when patching "${m.source}"`, () => s.client.patch(resourcePath(info, ns, name), patch, MERGE_PATCH, { query: FIELD_MANAGER }));
  return `${objectRef(info, name)} configured`;
}

// prepare fills in the namespace as kubectl does: the manifest's, else -n, else the context's;
// a manifest naming another namespace than an explicit -n is refused.
function prepare(s: Session, info: ResourceInfo, m: Manifest): KubeObject {
  const obj = structuredClone(m.object);
  if (!obj.metadata.name) throw new CliError(`error when retrieving current configuration of ${info.kind} from "${m.source}": resource name may not be empty`);
  if (!info.namespaced) return obj;
  const own = obj.metadata.namespace;
  if (own && s.explicitNamespace && own !== s.namespace) {
    throw new CliError(
      `the namespace from the provided object "${own}" does not match the namespace "${s.namespace}". You must pass '--namespace=${own}' to perform this operation.`,
    );
  }
  obj.metadata.namespace = own || s.namespace;
  return obj;
}

function wrapManifest<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CliError && !(e instanceof ServerError)) throw new ManifestError(e.message);
    throw e;
  }
}

function namespacesFirst(ms: Manifest[]): Manifest[] {
  const isNs = (m: Manifest) => m.object.kind === 'Namespace' && m.object.apiVersion === 'v1';
  return [...ms.filter(isNs), ...ms.filter((m) => !isNs(m))];
}
