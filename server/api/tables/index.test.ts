import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/api/meta.js';
import { printers, toTable } from './index.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const web: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u1', resourceVersion: '113', labels: { app: 'web' }, creationTimestamp: '2025-06-01T11:59:54Z' },
  spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx' }] },
  status: { phase: 'Running', podIP: '10.0.0.5', containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: {} } }] },
};

describe('toTable', () => {
  it('builds the pod Table kubectl expects (KUBECTL.md §2)', () => {
    const table = toTable('pods', [web], { now: NOW, resourceVersion: '120' });
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.metadata).toEqual({ resourceVersion: '120' });
    expect(table.columnDefinitions.map(({ name, type, format, priority }) => [name, type, format, priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ]);
    expect(table.rows).toEqual([
      {
        cells: ['web-1', '1/1', 'Running', '0', '6s', '10.0.0.5', 'node-1', '<none>', '<none>'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: web.metadata },
      },
    ]);
  });

  it.each([
    ['Object', web],
    ['None', null],
  ] as const)('includeObject=%s', (includeObject, want) => {
    expect(toTable('pods', [web], { now: NOW, includeObject }).rows[0].object).toEqual(want);
  });

  it('omits resourceVersion when none is given and keeps row conditions for finished pods', () => {
    const done = { ...web, status: { phase: 'Succeeded' } };
    const table = toTable('pods', [done], { now: NOW });
    expect(table.metadata).toEqual({});
    expect(table.rows[0].conditions?.[0]).toMatchObject({ type: 'Completed', reason: 'Succeeded' });
  });

  it('an empty list is a Table with no rows', () => {
    expect(toTable('deployments', [], { now: NOW }).rows).toEqual([]);
  });

  it.each([['statefulsets'], ['widgets'], ['toString'], ['__proto__']])('%s falls back to the default Name / Created At table', (resource) => {
    const table = toTable(resource, [web], { now: NOW });
    expect(table.columnDefinitions.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Created At', 'date'],
    ]);
    expect(table.rows[0].cells).toEqual(['web-1', '2025-06-01T11:59:54Z']);
  });

  it('round-trips through JSON unchanged (no undefined holes)', () => {
    const table = toTable('pods', [web], { now: NOW, resourceVersion: '1' });
    expect(JSON.parse(JSON.stringify(table))).toEqual(table);
  });

  it.each(Object.entries(printers))('%s: every column has a name, a type and priority 0 or 1', (_, printer) => {
    for (const c of printer.columns) {
      expect(c.name).toBeTruthy();
      expect(['string', 'integer', 'number', 'boolean', 'date']).toContain(c.type);
      expect([0, 1]).toContain(c.priority);
    }
    expect(printer.columns.filter((c) => c.format === 'name')).toHaveLength(1);
  });
});
