// eviction: pods/eviction and PodDisruptionBudgets through the HTTP API of a real server, with a
// fake kubelet so pods become Ready (and graceful deletions finish). Checks the budget's status as
// the disruption controller keeps it, the 429 that kubectl drain retries, that two concurrent
// evictions cannot both take the last disruption, and the Eviction's deleteOptions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKubelet, startFakeKubelet } from '../lib/fake-kubelet.js';
import { type ServerProcess, startServerProcess } from '../lib/server-process.js';

const NS = 'evict';
const PODS = `/api/v1/namespaces/${NS}/pods`;
const PDBS = `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`;
const BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
    v = await f();
  }
  return v;
}

const pod = (name: string, app: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { containers: [{ name: 'c', image: 'local/busybox:1' }] } });
const pdb = (name: string, app: string, spec: Record<string, unknown>) => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name },
  spec: { selector: { matchLabels: { app } }, ...spec },
});
const eviction = (name: string, deleteOptions?: Record<string, unknown>) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS }, ...(deleteOptions ? { deleteOptions } : {}) });

describe('pods/eviction with PodDisruptionBudgets', () => {
  let dir: string;
  let server: ServerProcess;
  let kubelet: FakeKubelet;
  const call = (method: string, path: string, body?: unknown) => server.api.call(method, path, body);
  const evict = (name: string, deleteOptions?: Record<string, unknown>) => call('POST', `${PODS}/${name}/eviction`, eviction(name, deleteOptions));
  const budget = async (name: string) => (await call('GET', `${PDBS}/${name}`)).json();
  const ready = async (names: string[]) =>
    until(
      async () => (await call('GET', PODS)).json().items.filter((p: any) => names.includes(p.metadata.name)),
      (ps) => ps.length === names.length && ps.every((p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')),
    );
  const gone = (name: string) => until(async () => (await call('GET', `${PODS}/${name}`)).status, (s) => s === 404);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-eviction-'));
    server = await startServerProcess(dir);
    kubelet = await startFakeKubelet(server.api, 'pi-1');
    expect((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status).toBe(201);
  });
  afterAll(async () => {
    await kubelet?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the budget’s status, lets exactly one of two concurrent evictions through, then refuses with 429', async () => {
    for (const n of ['solo-a', 'solo-b', 'solo-c']) expect((await call('POST', PODS, pod(n, 'solo'))).status).toBe(201);
    await ready(['solo-a', 'solo-b', 'solo-c']);
    expect((await call('POST', PDBS, pdb('solo', 'solo', { minAvailable: 2 }))).status).toBe(201);
    const s = await until(() => budget('solo'), (b) => b.status?.disruptionsAllowed === 1);
    expect(s.status).toMatchObject({
      observedGeneration: 1,
      disruptionsAllowed: 1,
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1 }],
    });

    const [a, b] = await Promise.all([evict('solo-a'), evict('solo-b')]);
    expect([a.status, b.status].sort()).toEqual([201, 429]);
    const [passed, refused] = a.status === 201 ? [a, b] : [b, a];
    expect(passed.json()).toMatchObject({ kind: 'Status', status: 'Success' });
    const gotAway = a.status === 201 ? 'solo-a' : 'solo-b';
    expect(refused.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: BUDGET_MESSAGE,
      reason: 'TooManyRequests',
      // currentHealthy is 3 until the controller has seen the first eviction's pod deleting, then 2.
      details: { causes: [{ reason: 'DisruptionBudget', message: expect.stringMatching(/^The disruption budget solo needs 2 healthy pods and has [23] currently$/) }] },
      code: 429,
    });
    await gone(gotAway);
    const after = await until(() => budget('solo'), (x) => x.status?.currentHealthy === 2 && x.status.expectedPods === 2);
    expect(after.status).toMatchObject({ disruptionsAllowed: 0, desiredHealthy: 2, conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }] });
    expect(after.status.disruptedPods).toBeUndefined();
    expect((await evict('solo-c')).status).toBe(429);

    // Without the budget the same eviction is a plain delete.
    expect((await call('DELETE', `${PDBS}/solo`)).status).toBe(200);
    expect((await evict('solo-c')).status).toBe(201);
    await gone('solo-c');
  });

  it('records the evicted pod in disruptedPods until the deletion shows', async () => {
    for (const n of ['slow-a', 'slow-b']) {
      const p = pod(n, 'slow');
      expect((await call('POST', PODS, { ...p, metadata: { ...p.metadata, finalizers: ['example.com/hold'] } })).status).toBe(201);
    }
    await ready(['slow-a', 'slow-b']);
    expect((await call('POST', PDBS, pdb('slow', 'slow', { maxUnavailable: 1 }))).status).toBe(201);
    await until(() => budget('slow'), (x) => x.status?.disruptionsAllowed === 1);
    // dryRun changes nothing.
    expect((await evict('slow-a', { dryRun: ['All'] })).status).toBe(201);
    expect((await budget('slow')).status.disruptionsAllowed).toBe(1);
    expect((await call('GET', `${PODS}/slow-a`)).json().metadata.deletionTimestamp).toBeUndefined();

    const seen: any[] = [];
    const rv = (await budget('slow')).metadata.resourceVersion;
    const watch = server.api.stream(`${PDBS}?watch=true&fieldSelector=metadata.name%3Dslow&resourceVersion=${rv}`, (line) => seen.push(JSON.parse(line).object.status));
    const before = Math.floor(Date.now() / 1000) * 1000;
    expect((await evict('slow-a')).status).toBe(201);
    expect((await budget('slow')).status.disruptionsAllowed).toBe(0);
    // The eviction's own write lists slow-a with the time; the controller drops it once slow-a is deleting.
    const taken = (await until(async () => seen, (xs) => xs.some((x) => x.disruptedPods?.['slow-a']))).find((x) => x.disruptedPods?.['slow-a']);
    expect(taken).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 2 });
    expect(Date.parse(taken.disruptedPods['slow-a'])).toBeGreaterThanOrEqual(before);
    watch.close();
    const pending = (await call('GET', `${PODS}/slow-a`)).json();
    expect(pending.metadata.deletionTimestamp).toBeDefined(); // held by its finalizer
    const settled = await until(() => budget('slow'), (x) => x.status.currentHealthy === 1);
    expect(settled.status.disruptedPods).toBeUndefined();
    for (const n of ['slow-a', 'slow-b']) await call('PATCH', `${PODS}/${n}`, { metadata: { finalizers: null } });
    await call('DELETE', `${PDBS}/slow`);
  });

  it('counts percentages against the Deployment’s replicas', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: pod('x', 'web').spec } },
    };
    expect((await call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment)).status).toBe(201);
    expect((await call('POST', PDBS, pdb('web', 'web', { maxUnavailable: '50%' }))).status).toBe(201);
    const s = await until(() => budget('web'), (x) => x.status?.currentHealthy === 4);
    expect(s.status).toMatchObject({ expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 2 });
    // The scale counts before the new pods exist: 6 replicas, at most 3 unavailable.
    await server.api.call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, { spec: { replicas: 6 } }, { 'content-type': 'application/merge-patch+json' });
    const scaled = await until(() => budget('web'), (x) => x.status?.expectedPods === 6);
    expect(scaled.status.desiredHealthy).toBe(3);
    await call('DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/web`);
    await call('DELETE', `${PDBS}/web`);
  });

  it('lets an unready pod go without spending the budget, and honours deleteOptions', async () => {
    for (const n of ['u-a', 'u-b', 'u-c']) expect((await call('POST', PODS, pod(n, 'u'))).status).toBe(201);
    const [ua] = await ready(['u-a', 'u-b', 'u-c']);
    expect((await call('POST', PDBS, pdb('u', 'u', { minAvailable: 1 }))).status).toBe(201);
    await until(() => budget('u'), (x) => x.status?.disruptionsAllowed === 2);

    const wrongUid = await evict('u-a', { preconditions: { uid: 'not-the-uid' } });
    expect(wrongUid.status).toBe(409);
    expect(wrongUid.json().message).toContain('Precondition failed: UID in precondition: not-the-uid');
    expect((await budget('u')).status).toMatchObject({ disruptionsAllowed: 2 }); // nothing spent

    const unready = { status: { conditions: [{ type: 'Ready', status: 'False' }] } };
    await server.api.call('PATCH', `${PODS}/u-b/status`, unready, { 'content-type': 'application/merge-patch+json' });
    await until(() => budget('u'), (x) => x.status?.currentHealthy === 2 && x.status.disruptionsAllowed === 1);
    expect((await evict('u-b', { gracePeriodSeconds: 0 })).status).toBe(201);
    // Grace period 0: gone at once, not after the kubelet's stop.
    expect((await call('GET', `${PODS}/u-b`)).status).toBe(404);
    const s = (await budget('u')).status;
    expect(s.disruptedPods).toBeUndefined();
    expect(s.disruptionsAllowed).toBe(1);

    expect((await evict('u-a', { preconditions: { uid: ua.metadata.uid } })).status).toBe(201);
    await gone('u-a');
    await call('DELETE', `${PDBS}/u`);
  });

  it('refuses a pod two budgets cover with 500, as Kubernetes does', async () => {
    expect((await call('POST', PODS, pod('twice', 'twice'))).status).toBe(201);
    await ready(['twice']);
    for (const n of ['twice-1', 'twice-2']) expect((await call('POST', PDBS, pdb(n, 'twice', { maxUnavailable: 1 }))).status).toBe(201);
    const r = await evict('twice');
    expect(r.status).toBe(500);
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure', code: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
    expect((await call('GET', `${PODS}/twice`)).status).toBe(200);
  });

  it('validates budgets and serves them in discovery', async () => {
    const bad = await call('POST', PDBS, pdb('bad', 'x', { minAvailable: 1, maxUnavailable: 1 }));
    expect(bad.status).toBe(422);
    expect(bad.json().message).toContain('minAvailable and maxUnavailable cannot be both set');
    const list = (await call('GET', '/apis/policy/v1')).json();
    expect(list.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'] }),
        expect.objectContaining({ name: 'poddisruptionbudgets/status' }),
      ]),
    );
    const core = (await call('GET', '/api/v1')).json();
    expect(core.resources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'pods/eviction', kind: 'Eviction', group: 'policy', version: 'v1' })]));
    expect((await evict('nosuch')).status).toBe(404);
    const mismatch = await call('POST', `${PODS}/twice/eviction`, eviction('other'));
    expect(mismatch.status).toBe(400);
  });
});
