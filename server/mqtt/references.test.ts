import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { podReferences } from './references.js';

const pod = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec });

describe('podReferences', () => {
  it.each([
    ['no references', { containers: [{ name: 'c', image: 'i' }] }, [], []],
    ['volumes', { volumes: [{ name: 'a', configMap: { name: 'cm' } }, { name: 'b', secret: { secretName: 's' } }] }, ['cm'], ['s']],
    ['projected volumes', { volumes: [{ name: 'p', projected: { sources: [{ configMap: { name: 'pc' } }, { secret: { name: 'ps' } }] } }] }, ['pc'], ['ps']],
    [
      'env valueFrom in init and app containers',
      {
        initContainers: [{ name: 'i', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'icm', key: 'k' } } }] }],
        containers: [{ name: 'c', env: [{ name: 'B', valueFrom: { secretKeyRef: { name: 'cs', key: 'k' } } }, { name: 'C', value: 'x' }] }],
      },
      ['icm'],
      ['cs'],
    ],
    ['envFrom', { containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'ef' } }, { secretRef: { name: 'es' } }] }] }, ['ef'], ['es']],
    ['imagePullSecrets', { imagePullSecrets: [{ name: 'reg' }, { name: 'reg' }] }, [], ['reg']],
    ['ephemeral containers', { ephemeralContainers: [{ name: 'd', envFrom: [{ secretRef: { name: 'dbg' } }] }] }, [], ['dbg']],
  ])('%s', (_, spec, configMaps, secrets) => {
    expect(podReferences(pod(spec))).toEqual({ configMaps, secrets });
  });

  it('ignores malformed entries', () => {
    expect(podReferences(pod({ volumes: [null, 'x', { configMap: {} }], containers: [{ env: 'nope' }] }))).toEqual({ configMaps: [], secrets: [] });
  });
});
