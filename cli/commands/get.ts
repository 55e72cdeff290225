// get: `bramble get KIND[,KIND…] [NAME…]`, printed from the server's Tables like kubectl get, or
// as full objects with -o yaml|json|name; -w keeps watching and prints rows as they change.
import type { KubeObject } from '../../shared/api/meta.js';
import { type OptionValues, UsageError } from '../../shared/options.js';
import type { ServerError } from '../errors.js';
import { ALL_NAMESPACES_OPTION, CONNECTION_OPTIONS, NAMESPACE_OPTION, type Session, session } from '../flags.js';
import { fetchObjects, fetchTable, noResources, type Scope } from '../get/fetch.js';
import { watchGet } from '../get/watch.js';
import { Aligner, headerCells, rowCells, type TableView } from '../print/table.js';
import { toJson, toYaml } from '../print/yaml.js';
import { kindRef, objectRef, parseSelections, type Selection } from '../resources.js';
import { reportErrors } from './shared.js';
import { defineVerb } from './verb.js';

const OUTPUTS = ['wide', 'yaml', 'json', 'name'];
const GET = 'Get';

export const getCommand = defineVerb({
  name: 'get',
  summary: 'list objects, or show some by name (like kubectl get)',
  usage: 'bramble get KIND[,KIND…] [NAME…] | KIND/NAME… [-o wide|yaml|json|name] [-w] [-n NS | -A] [-l SELECTOR]',
  options: [
    { name: 'output', short: 'o', type: 'string', help: 'wide, yaml, json or name (default: a table)', category: GET },
    { name: 'watch', short: 'w', type: 'boolean', default: false, help: 'after listing, watch for changes', category: GET },
    { name: 'watch-only', type: 'boolean', default: false, help: 'watch for changes without listing first', category: GET },
    { name: 'selector', short: 'l', type: 'string', help: 'label selector, e.g. app=web,tier!=db', category: GET },
    { name: 'field-selector', type: 'string', help: 'field selector, e.g. spec.nodeName=pi-1', category: GET },
    { name: 'show-labels', type: 'boolean', default: false, help: 'add a LABELS column', category: GET },
    NAMESPACE_OPTION,
    ALL_NAMESPACES_OPTION,
    ...CONNECTION_OPTIONS,
  ],
  async run(values, positionals) {
    const output: string = values.output ?? '';
    if (output && !OUTPUTS.includes(output)) {
      throw new UsageError(`unable to match a printer suitable for the output format "${output}", allowed formats are: ${OUTPUTS.join(',')}`);
    }
    const sels = parseSelections(positionals, true);
    const named = sels.some((s) => s.names.length > 0);
    if (named && values.allNamespaces) throw new UsageError('a resource cannot be retrieved by name across all namespaces');
    if (named && values.selector) throw new UsageError('name cannot be provided when a selector is specified');
    const s = session(values);
    const scope: Scope = { namespace: values.allNamespaces ? undefined : s.namespace, labelSelector: values.selector, fieldSelector: values.fieldSelector };
    if (values.watch || values.watchOnly) return watchGet(s.client, sels, scope, viewOf(values, false), output, !values.watchOnly);
    if (output && output !== 'wide') return printObjects(s, sels, scope, output);
    return printTables(s, sels, scope, values);
  },
});

function viewOf(values: OptionValues, multi: boolean, info?: Selection['info']): TableView {
  return {
    wide: values.output === 'wide',
    withNamespace: Boolean(values.allNamespaces) && (info?.namespaced ?? true),
    showLabels: Boolean(values.showLabels),
    namePrefix: multi && info ? `${kindRef(info)}/` : undefined,
  };
}

async function printTables(s: Session, sels: Selection[], scope: Scope, values: OptionValues): Promise<number> {
  const errors: ServerError[] = [];
  let printed = false;
  for (const sel of sels) {
    const { result, errors: missing } = await fetchTable(s.client, sel, scope);
    errors.push(...missing);
    const rows = result?.rows ?? [];
    if (!result || rows.length === 0) continue;
    const view = viewOf(values, sels.length > 1, sel.info);
    const cols = result.columnDefinitions;
    // Several kinds print as several tables, a blank line apart.
    if (printed) console.log('');
    console.log(new Aligner().format([headerCells(cols, view), ...rows.map((r) => rowCells(cols, r, view))]));
    printed = true;
  }
  if (!printed && errors.length === 0) console.error(noResources(scope));
  return reportErrors(errors);
}

async function printObjects(s: Session, sels: Selection[], scope: Scope, output: string): Promise<number> {
  const errors: ServerError[] = [];
  const found: { sel: Selection; obj: KubeObject }[] = [];
  for (const sel of sels) {
    const { result, errors: missing } = await fetchObjects(s.client, sel, scope);
    errors.push(...missing);
    for (const obj of result ?? []) found.push({ sel, obj });
  }
  if (output === 'name') {
    for (const { sel, obj } of found) console.log(objectRef(sel.info, obj.metadata.name ?? ''));
  } else if (found.length > 0 || errors.length === 0) {
    // One named object prints as itself; anything else as a List, as kubectl does.
    const single = sels.length === 1 && sels[0].names.length === 1 && found.length === 1;
    const value = single ? found[0].obj : { apiVersion: 'v1', items: found.map((f) => f.obj), kind: 'List', metadata: { resourceVersion: '' } };
    process.stdout.write(output === 'json' ? toJson(value) : toYaml(value));
  }
  return reportErrors(errors);
}
