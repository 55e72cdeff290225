import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { mappingOf, parseManifests, readManifests } from './manifests.js';

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('parseManifests', () => {
  it('reads several documents, skipping empty ones', () => {
    const ms = parseManifests(`---\n${cm('a')}---\n---\n# only a comment\n---\n${cm('b')}`, 'x.yaml');
    expect(ms.map((m) => m.object.metadata.name)).toEqual(['a', 'b']);
    expect(ms[0].source).toBe('x.yaml');
  });

  it('expands kind: List', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }] };
    expect(parseManifests(JSON.stringify(list), 'l.json').map((m) => m.object.kind)).toEqual(['ConfigMap', 'Secret']);
  });

  it('reports a YAML error as one line with the file and line', () => {
    expect(() => parseManifests(`${cm('a')} data: [\n`, 'bad.yaml')).toThrow(/^error parsing bad\.yaml: line 5: [^\n]+$/);
  });

  it('requires apiVersion and kind', () => {
    expect(() => parseManifests('metadata:\n  name: a\n', 'f.yaml')).toThrow('error validating "f.yaml": error validating data: apiVersion not set, kind not set');
  });
});

describe('mappingOf', () => {
  it('finds the resource of a known kind', () => {
    expect(mappingOf(parseManifests('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n', 'd.yaml')[0]).plural).toBe('deployments');
  });

  it('uses kubectl wording for an unknown kind', () => {
    const [m] = parseManifests('apiVersion: v1\nkind: Foo\nmetadata: {name: x}\n', 'file.yaml');
    expect(() => mappingOf(m)).toThrow('resource mapping not found for name: "x" namespace: "" from "file.yaml": no matches for kind "Foo" in version "v1"');
  });
});

describe('readManifests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-manifests-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a folder’s manifest files in name order, and stdin for -', async () => {
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'b.yml'), cm('b'));
    writeFileSync(join(dir, 'm', 'a.yaml'), cm('a'));
    writeFileSync(join(dir, 'm', 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }));
    writeFileSync(join(dir, 'm', 'notes.txt'), 'ignored');
    const ms = await readManifests([join(dir, 'm'), '-'], Readable.from([cm('stdin')]));
    expect(ms.map((m) => m.object.metadata.name)).toEqual(['a', 'b', 'c', 'stdin']);
  });

  it('names a missing path', async () => {
    await expect(readManifests([join(dir, 'nope.yaml')])).rejects.toThrow(`the path "${join(dir, 'nope.yaml')}" does not exist`);
  });
});
