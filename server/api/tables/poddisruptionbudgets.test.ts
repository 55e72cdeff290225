import { describe, expect, it } from 'vitest';
import { printerFor, toTable } from './index.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const pdb = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2025-06-01T11:55:00Z' },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  ...(status ? { status } : {}),
});

describe('poddisruptionbudgets table', () => {
  it('has kubectl’s columns', () => {
    expect(printerFor('poddisruptionbudgets').columns.map((c) => c.name)).toEqual(['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
  });

  it.each([
    [pdb({ minAvailable: 2 }, { disruptionsAllowed: 1 }), ['web', '2', 'N/A', 1, '5m']],
    [pdb({ maxUnavailable: '25%' }, { disruptionsAllowed: 0 }), ['web', 'N/A', '25%', 0, '5m']],
    [pdb({}), ['web', 'N/A', 'N/A', 0, '5m']],
  ])('prints %j', (obj, cells) => {
    expect(toTable('poddisruptionbudgets', [obj], { now: NOW }).rows[0].cells).toEqual(cells);
  });
});
