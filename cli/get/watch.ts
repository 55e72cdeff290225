// watch: `get -w`. List first (for the rows so far and the resourceVersion to resume from),
// then watch from there with the same Accept, printing each event's rows under the header
// printed once — or each object, for -o yaml|json|name. The server ending the stream ends it.
import type { KubeObject, Status } from '../../shared/api/meta.js';
import { UsageError } from '../../shared/options.js';
import { type ApiClient, JSON_TYPE, TABLE_ACCEPT } from '../client.js';
import { Aligner, headerCells, rowCells, type Table, type TableColumn, type TableView } from '../print/table.js';
import { toJson, toYaml } from '../print/yaml.js';
import { objectRef, resourcePath, type Selection, typedObject } from '../resources.js';
import { noResources, type Scope, selectors } from './fetch.js';

interface Printer {
  print(value: any): number;
}

export async function watchGet(client: ApiClient, sels: Selection[], scope: Scope, view: TableView, output: string, listFirst: boolean): Promise<number> {
  if (sels.length !== 1) throw new UsageError('you may only specify a single resource type');
  const { info, names } = sels[0];
  if (names.length > 1) throw new UsageError(`watch is only supported on individual resources and resource collections, but ${names.length} resources were found`);
  const byName = names[0] ? `metadata.name=${names[0]}` : undefined;
  const query = selectors({ ...scope, fieldSelector: [byName, scope.fieldSelector].filter(Boolean).join(',') || undefined });
  const asTable = !output || output === 'wide';
  const accept = asTable ? TABLE_ACCEPT : JSON_TYPE;
  const printer: Printer = asTable ? tablePrinter({ ...view, withNamespace: view.withNamespace && info.namespaced }) : objectPrinter(sels[0], output);
  const path = resourcePath(info, scope.namespace);
  const list = await client.get(path, { accept, query });
  if (listFirst) {
    const shown = printer.print(asTable ? list : (list.items ?? []).map((o: KubeObject) => typedObject(info, o)));
    if (shown === 0) console.error(noResources(scope));
  }
  for await (const ev of client.watch(path, { accept, query: { ...query, resourceVersion: list.metadata?.resourceVersion } })) {
    if (ev.type === 'BOOKMARK') continue;
    if (ev.type === 'ERROR') {
      console.error(`error: ${(ev.object as unknown as Status).message ?? 'the watch failed'}`);
      return 1;
    }
    printer.print(asTable ? ev.object : [typedObject(info, ev.object)]);
  }
  return 0;
}

// tablePrinter prints a header whenever the column set changes (the first time, and if the
// server ever sends different columns), then rows aligned with what came before.
function tablePrinter(view: TableView): Printer {
  let columns: TableColumn[] = [];
  let aligner = new Aligner();
  let headed = false;
  return {
    print(t: Table) {
      const lines: string[][] = [];
      const cols = t.columnDefinitions ?? [];
      if (cols.length && cols.map((c) => c.name).join() !== columns.map((c) => c.name).join()) {
        columns = cols;
        aligner = new Aligner();
        headed = false;
      }
      const rows = t.rows ?? [];
      if (!headed && rows.length) {
        lines.push(headerCells(columns, view));
        headed = true;
      }
      lines.push(...rows.map((r) => rowCells(columns, r, view)));
      if (lines.length) console.log(aligner.format(lines));
      return rows.length;
    },
  };
}

function objectPrinter(sel: Selection, output: string): Printer {
  return {
    print(objects: KubeObject[]) {
      for (const o of objects) {
        if (output === 'name') console.log(objectRef(sel.info, o.metadata.name ?? ''));
        else if (output === 'json') process.stdout.write(toJson(o));
        else process.stdout.write(`---\n${toYaml(o)}`);
      }
      return objects.length;
    },
  };
}
