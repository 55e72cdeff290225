import { describe, expect, it } from 'vitest';
import { Aligner, headerCells, rowCells, type TableColumn } from './table.js';

const columns: TableColumn[] = [
  { name: 'Name', format: 'name', priority: 0 },
  { name: 'Ready', priority: 0 },
  { name: 'Age', priority: 0 },
  { name: 'IP', priority: 1 },
];
const row = { cells: ['web-1', '1/1', '5s', '10.42.0.5'], object: { metadata: { namespace: 'shop', labels: { b: '2', a: '1' } } } };

describe('get tables', () => {
  it('hides priority columns unless wide', () => {
    const view = { wide: false, withNamespace: false, showLabels: false };
    expect(new Aligner().format([headerCells(columns, view), rowCells(columns, row, view)])).toBe('NAME    READY   AGE\nweb-1   1/1     5s');
  });

  it('adds NAMESPACE, wide columns, LABELS and the kind prefix', () => {
    const view = { wide: true, withNamespace: true, showLabels: true, namePrefix: 'pod/' };
    expect(headerCells(columns, view)).toEqual(['NAMESPACE', 'NAME', 'READY', 'AGE', 'IP', 'LABELS']);
    expect(rowCells(columns, row, view)).toEqual(['shop', 'pod/web-1', '1/1', '5s', '10.42.0.5', 'a=1,b=2']);
  });

  it('keeps later rows aligned with earlier ones', () => {
    const a = new Aligner();
    a.format([['NAME', 'AGE'], ['a-long-name', '1s']]);
    expect(a.format([['b', '2s']])).toBe('b             2s');
  });
});
