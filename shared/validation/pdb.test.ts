import { describe, expect, it } from 'vitest';
import { validate } from './index.js';

const pdb = (spec: Record<string, unknown>) => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
});

const messages = (obj: unknown) => validate('PodDisruptionBudget', obj).map((c) => `${c.field}: ${c.message}`);

describe('PodDisruptionBudget validation', () => {
  it.each([{ minAvailable: 2 }, { minAvailable: '50%' }, { maxUnavailable: 0 }, { maxUnavailable: '100%' }, {}, { selector: {} }, { selector: null, minAvailable: 1 }])(
    'accepts %j',
    (spec) => {
      expect(messages(pdb(spec))).toEqual([]);
    },
  );

  it('refuses minAvailable together with maxUnavailable', () => {
    expect(messages(pdb({ minAvailable: 1, maxUnavailable: 1 }))).toEqual([
      'spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set',
    ]);
  });

  it.each([
    [{ minAvailable: -1 }, 'spec.minAvailable: Invalid value: -1: must be greater than or equal to 0'],
    [{ minAvailable: '150%' }, 'spec.minAvailable: Invalid value: "150%": must not be greater than 100%'],
    [{ maxUnavailable: 'half' }, "spec.maxUnavailable: Invalid value: \"half\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"],
    [{ maxUnavailable: true }, "spec.maxUnavailable: Invalid value: true: must be an integer or percentage (e.g '5%')"],
    [{ minAvailable: 1, unhealthyPodEvictionPolicy: 'Never' }, 'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"'],
    [{ minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'Near' }] } }, 'spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'],
  ])('refuses %j', (spec, message) => {
    expect(messages(pdb(spec))).toEqual([message]);
  });
});
