// manifests: reads the objects of `-f FILE|DIR|-` — multi-document YAML or JSON, `kind: List`
// expanded, empty documents skipped — and maps each to the API resource it belongs to.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../shared/api/meta.js';
import { findKind, type ResourceInfo } from '../shared/api/resources.js';
import { CliError } from './errors.js';

export interface Manifest {
  /** source: the file it came from ("-" for stdin), for messages. */
  source: string;
  object: KubeObject;
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/** readManifests reads every -f argument in order; a folder contributes its manifest files, sorted. */
export async function readManifests(paths: string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(...parseManifests(await readStream(stdin), '-'));
      continue;
    }
    for (const file of filesOf(p)) out.push(...parseManifests(readFileSync(file, 'utf8'), file));
  }
  return out;
}

function filesOf(path: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new CliError(`the path "${path}" does not exist`);
  }
  if (!isDir) return [path];
  return readdirSync(path)
    .filter((f) => EXTENSIONS.some((e) => f.endsWith(e)))
    .sort()
    .map((f) => join(path, f));
}

/** parseManifests parses one file's text; a syntax error is one line naming the file and line. */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new CliError(`error parsing ${source}: ${line ? `line ${line}: ` : ''}${what}`);
    }
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new CliError(`error parsing ${source}: line ${lineAt(text, doc.contents?.range?.[0] ?? 0)}: a manifest must be a mapping (apiVersion, kind, metadata, …)`);
    }
    for (const object of expandList(value, source)) out.push({ source, object });
  }
  return out;
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

// expandList flattens `kind: List` (what `get -o yaml` prints for several objects) into its items.
function expandList(value: any, source: string): KubeObject[] {
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    return value.items.flatMap((item: unknown) => expandList(item, source));
  }
  const missing = ['apiVersion', 'kind'].filter((k) => typeof value[k] !== 'string' || !value[k]);
  if (missing.length) throw new CliError(`error validating "${source}": error validating data: ${missing.map((k) => `${k} not set`).join(', ')}`);
  value.metadata ??= {};
  return [value as KubeObject];
}

/** mappingOf finds the API resource of a manifest's apiVersion and kind, with kubectl's error. */
export function mappingOf(m: Manifest): ResourceInfo {
  const info = findKind(m.object.apiVersion, m.object.kind);
  if (info) return info;
  const md = m.object.metadata ?? {};
  throw new CliError(
    `resource mapping not found for name: "${md.name ?? ''}" namespace: "${md.namespace ?? ''}" from "${m.source}": no matches for kind "${m.object.kind}" in version "${m.object.apiVersion}"`,
  );
}

async function readStream(s: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
