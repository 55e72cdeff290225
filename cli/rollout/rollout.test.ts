import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../shared/api/core.js';
import { historyText } from './history.js';
import { HASH_LABEL, REVISION } from './replicasets.js';
import { deploymentStatus } from './status.js';
import { rollbackPatch, rollbackTarget } from './undo.js';

const dep = (spec: Partial<Deployment['spec']>, status: Deployment['status'], generation = 1): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', generation, uid: 'd1', annotations: { [REVISION]: '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } }, ...spec },
  status,
});

const rs = (rev: string, image: string, annotations: Record<string, string> = {}): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: `web-${rev}`, annotations: { [REVISION]: rev, ...annotations }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] },
  spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', [HASH_LABEL]: `h${rev}` } }, spec: { containers: [{ name: 'c', image }] } } },
});

describe('deploymentStatus', () => {
  it.each([
    [dep({}, { observedGeneration: 1 }, 2), 'Waiting for deployment spec update to be observed...\n', false],
    [dep({}, { observedGeneration: 1, updatedReplicas: 0 }), 'Waiting for deployment "web" rollout to finish: 0 out of 2 new replicas have been updated...\n', false],
    [dep({}, { observedGeneration: 1, updatedReplicas: 2, replicas: 3 }), 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...\n', false],
    [dep({}, { observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }), 'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...\n', false],
    [dep({}, { observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }), 'deployment "web" successfully rolled out\n', true],
  ])('follows kubectl’s rules (%#)', (d, message, done) => {
    expect(deploymentStatus(d)).toEqual({ message, done });
  });

  it('fails past the progress deadline', () => {
    const d = dep({}, { observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    expect(deploymentStatus(d).error).toBe('deployment "web" exceeded its progress deadline');
  });
});

describe('rollout undo', () => {
  const all = [rs('1', 'v1', { 'kubernetes.io/change-cause': 'first' }), rs('3', 'v3'), rs('2', 'v2')];

  it('picks the previous revision, or the one asked for', () => {
    expect(rollbackTarget('web', all, 0).metadata.name).toBe('web-2');
    expect(rollbackTarget('web', all, 1).metadata.name).toBe('web-1');
    expect(() => rollbackTarget('web', all, 7)).toThrow('unable to find specified revision 7 in history');
    expect(() => rollbackTarget('web', [rs('1', 'v1')], 0)).toThrow('no rollout history found for deployment "web"');
  });

  it('patches the template without the hash label, and the annotations kubectl keeps', () => {
    const patch = rollbackPatch(dep({}, {}), all[0]);
    expect(patch).toEqual([
      { op: 'replace', path: '/spec/template', value: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } } },
      {
        op: 'replace',
        path: '/metadata/annotations',
        value: { [REVISION]: '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'kubernetes.io/change-cause': 'first' },
      },
    ]);
  });

  it('lists history oldest first with change causes', () => {
    expect(historyText(all)).toBe('REVISION  CHANGE-CAUSE\n1         first\n2         <none>\n3         <none>\n');
  });
});
