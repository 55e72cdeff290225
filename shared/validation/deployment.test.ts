import { describe, expect, it } from 'vitest';
import { validate } from './index.js';

const deployment = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
    ...spec,
  },
});

const messages = (kind: string, obj: unknown, opts = {}) => validate(kind, obj, opts).map((c) => `${c.field}: ${c.message}`);

describe('Deployment validation', () => {
  it('accepts a realistic deployment', () => {
    expect(
      messages(
        'Deployment',
        deployment({
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '0%' } },
          selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
          template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
          minReadySeconds: 5,
        }),
      ),
    ).toEqual([]);
  });

  it('reports a missing selector as kubectl shows it', () => {
    expect(messages('Deployment', deployment({ selector: undefined }))).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
  });

  it('reports a selector that does not match the template', () => {
    expect(messages('Deployment', deployment({ selector: { matchLabels: { app: 'x' } } }))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
    expect(messages('Deployment', deployment({ template: { spec: { containers: [{ name: 'a', image: 'b' }] } } }))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
    ]);
  });

  it('rejects an empty or malformed selector', () => {
    expect(messages('Deployment', deployment({ selector: {} }))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
    const bad = messages('Deployment', deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'Like', values: ['web'] }] } }));
    expect(bad[0]).toBe('spec.selector.matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator');
    expect(bad[1]).toMatch(/^spec.selector: Invalid value: v1.LabelSelector\{.*\}: invalid label selector$/);
    expect(messages('Deployment', deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }))[0]).toBe(
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    );
  });

  it('checks replicas, including their type', () => {
    expect(messages('Deployment', deployment({ replicas: -1 }))).toEqual(['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
    expect(validate('Deployment', deployment({ replicas: 'three' }))).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: "three": spec.replicas in body must be of type integer: "string"',
      },
    ]);
    expect(messages('Deployment', deployment({ replicas: 1.5 }))).toEqual([
      'spec.replicas: Invalid value: 1.5: spec.replicas in body must be of type integer: "number"',
    ]);
  });

  it('checks the strategy', () => {
    expect(messages('Deployment', deployment({ strategy: { type: 'BlueGreen' } }))).toEqual([
      'spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"',
    ]);
    expect(messages('Deployment', deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }))).toEqual([
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ]);
    expect(messages('Deployment', deployment({ strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ]);
    expect(messages('Deployment', deployment({ strategy: { rollingUpdate: { maxUnavailable: '150%', maxSurge: 'lots' } } }))).toEqual([
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    ]);
  });

  it('validates the template as a pod spec that restarts Always', () => {
    const causes = messages(
      'Deployment',
      deployment({ template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'x' }] } } }),
    );
    expect(causes).toEqual([
      'spec.template.spec.containers[0].image: Required value',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });

  it('checks progressDeadlineSeconds against minReadySeconds', () => {
    expect(messages('Deployment', deployment({ progressDeadlineSeconds: 10, minReadySeconds: 10 }))).toEqual([
      'spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds',
    ]);
  });

  it('keeps the selector immutable on update', () => {
    const old = deployment();
    const moved = deployment({
      selector: { matchLabels: { app: 'web2' } },
      template: { metadata: { labels: { app: 'web2' } }, spec: { containers: [{ name: 'a', image: 'b' }] } },
    });
    expect(messages('Deployment', moved, { update: true, old })).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    expect(messages('Deployment', deployment({ replicas: 5 }), { update: true, old })).toEqual([]);
  });
});

describe('ReplicaSet validation', () => {
  const rs = (spec: Record<string, unknown> = {}) => ({ ...deployment(spec), kind: 'ReplicaSet' });

  it('shares the Deployment rules for replicas, selector and template', () => {
    expect(messages('ReplicaSet', rs())).toEqual([]);
    expect(messages('ReplicaSet', rs({ replicas: -2, selector: { matchLabels: { app: 'other' } } }))).toEqual([
      'spec.replicas: Invalid value: -2: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
    expect(messages('ReplicaSet', rs({ strategy: { type: 'Nonsense' } }))).toEqual([]);
  });
});
