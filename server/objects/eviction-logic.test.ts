import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import type { PdbStatus, PodDisruptionBudget } from '../../shared/api/policy.js';
import { rfc3339 } from '../../shared/clock.js';
import { BUDGET_MESSAGE, MULTIPLE_BUDGETS_MESSAGE, planEviction, takeDisruption } from './eviction-logic.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

const status = (s: Partial<PdbStatus> = {}): PdbStatus => ({ observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, ...s });

const pdb = (name: string, s?: Partial<PdbStatus>, spec: Record<string, unknown> = {}, generation = 1): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, namespace: 'shop', generation },
  spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 2, ...spec },
  status: status(s),
});

const pod = (o: { phase?: string; ready?: boolean; deleting?: boolean; app?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', labels: { app: o.app ?? 'web' }, ...(o.deleting ? { deletionTimestamp: rfc3339(NOW) } : {}) },
  spec: {},
  status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

describe('planEviction', () => {
  const web = pdb('web');
  it.each([
    ['a pod no budget selects', pod({ app: 'db' }), [web], { action: 'delete', enforceResourceVersion: false }],
    ['a Pending pod, guarding against it becoming Ready', pod({ phase: 'Pending' }), [web], { action: 'delete', enforceResourceVersion: true }],
    ['a finished pod', pod({ phase: 'Succeeded' }), [web], { action: 'delete', enforceResourceVersion: false }],
    ['a pod already being deleted', pod({ deleting: true }), [web], { action: 'delete', enforceResourceVersion: false }],
    ['a Ready pod under a budget', pod(), [web], { action: 'take', pdb: web }],
    ['a pod under two budgets', pod(), [web, pdb('web-2')], { action: 'refuse', message: MULTIPLE_BUDGETS_MESSAGE }],
  ])('%s', (_n, p, budgets, want) => {
    expect(planEviction(p, budgets)).toEqual(want);
  });

  it('lets an unready pod go without taking from a budget that is met', () => {
    expect(planEviction(pod({ ready: false }), [web])).toEqual({ action: 'delete', enforceResourceVersion: true, pdb: web });
  });

  it('makes an unready pod take from a budget that is not met (IfHealthyBudget), unless AlwaysAllow', () => {
    const short = pdb('web', { currentHealthy: 1, desiredHealthy: 2, disruptionsAllowed: 0 });
    expect(planEviction(pod({ ready: false }), [short])).toEqual({ action: 'take', pdb: short });
    const always = pdb('web', { currentHealthy: 1, desiredHealthy: 2, disruptionsAllowed: 0 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(planEviction(pod({ ready: false }), [always])).toMatchObject({ action: 'delete', enforceResourceVersion: true });
  });
});

describe('takeDisruption', () => {
  it('takes one disruption and records the pod with the time', () => {
    const got = takeDisruption(pdb('web', { disruptionsAllowed: 2 }), 'web-1', NOW);
    expect(got).toEqual({ ok: true, status: status({ disruptionsAllowed: 1, disruptedPods: { 'web-1': rfc3339(NOW) } }) });
  });

  it('turns the condition False when it takes the last one', () => {
    const got = takeDisruption(pdb('web', { disruptionsAllowed: 1 }), 'web-1', NOW);
    expect(got.ok && got.status.conditions).toEqual([
      { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 1, lastTransitionTime: rfc3339(NOW) },
    ]);
  });

  it('refuses with 429 when nothing may be disrupted, saying why', () => {
    expect(takeDisruption(pdb('web', { disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 3 }), 'web-1', NOW)).toEqual({
      ok: false,
      refusal: { code: 429, reason: 'TooManyRequests', message: BUDGET_MESSAGE, cause: 'The disruption budget web needs 3 healthy pods and has 3 currently' },
    });
  });

  it('refuses with 429 while the controller has not seen the newest spec', () => {
    const got = takeDisruption(pdb('web', { observedGeneration: 1, disruptionsAllowed: 5 }, {}, 2), 'web-1', NOW);
    expect(got).toMatchObject({ ok: false, refusal: { code: 429, cause: 'The disruption budget web is still being processed by the server.', retryAfterSeconds: 10 } });
  });

  it('refuses with 403 when the status is broken', () => {
    expect(takeDisruption(pdb('web', { disruptionsAllowed: -1 }), 'web-1', NOW)).toMatchObject({
      ok: false,
      refusal: { code: 403, message: 'poddisruptionbudget.policy "web" is forbidden: pdb disruptions allowed is negative' },
    });
  });

  it('lets only one of two evictions through when one disruption is left', () => {
    const first = takeDisruption(pdb('web', { disruptionsAllowed: 1 }), 'web-1', NOW);
    expect(first.ok).toBe(true);
    const after = { ...pdb('web'), status: first.ok ? first.status : undefined };
    expect(takeDisruption(after, 'web-2', NOW)).toMatchObject({ ok: false, refusal: { code: 429 } });
  });
});
