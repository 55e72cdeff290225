import { describe, expect, it } from 'vitest';
import { defaultPlugins, filterPlugins, scorePlugins } from './registry.js';

describe('registry', () => {
  it('lists every default plugin under its own name', () => {
    for (const f of defaultPlugins.filters) expect(filterPlugins[f.name]).toBe(f);
    for (const s of defaultPlugins.scores) expect(scorePlugins[s.name]).toBe(s);
  });

  it('runs filters in Kubernetes order, so nodes report the reasons Kubernetes would', () => {
    expect(defaultPlugins.filters.map((f) => f.name)).toEqual(['NodeUnschedulable', 'NodeReady', 'TaintToleration', 'NodeAffinity', 'NodeResourcesFit']);
  });

  it('gives every score plugin a positive weight', () => {
    for (const s of defaultPlugins.scores) expect(s.weight).toBeGreaterThan(0);
  });
});
