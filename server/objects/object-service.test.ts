import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { ApiError, asApiError } from '../api/errors.js';
import { LogStore } from '../store/log-store.js';
import { ObjectService } from './object-service.js';

const NS = findResource('', 'v1', 'namespaces')!;
const CM = findResource('', 'v1', 'configmaps')!;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const DEPLOY = findResource('apps', 'v1', 'deployments')!;

const pod = (name: string, extra: Partial<KubeObject['spec']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'x:1' }], ...extra },
});
const deploy = (image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } } },
});

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    // As the API would answer: asApiError is where every failure becomes a Status.
    const a = asApiError(e);
    return e instanceof ApiError || a.code < 500 ? `${a.code} ${a.reason}` : String(e);
  }
}

describe('ObjectService', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  const now = Date.parse('2026-01-01T00:00:00Z');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-objects-'));
    store = await LogStore.open({ url: join(dir, 'db'), compactIntervalMs: 0 });
    objects = new ObjectService(store, { now: () => now }, {
      pods: { notReadyTolerationSeconds: 5 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets uid, creationTimestamp and generation, and bumps generation only on spec changes', async () => {
    const d = await objects.create(DEPLOY, 'default', deploy('x:1'));
    expect(d.metadata).toMatchObject({ generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', uid: expect.any(String) });
    const labelled = await objects.update(DEPLOY, 'default', 'web', { ...d, metadata: { ...d.metadata, labels: { a: 'b' } } });
    expect(labelled.metadata.generation).toBe(1);
    const changed = await objects.update(DEPLOY, 'default', 'web', { ...labelled, spec: { ...labelled.spec, replicas: 4 } });
    expect(changed.metadata.generation).toBe(2);
    expect(changed.metadata.uid).toBe(d.metadata.uid);
  });

  it('keeps status out of main updates and spec out of status updates', async () => {
    const p = await objects.create(PODS, 'default', pod('p'));
    const withStatus = await objects.update(PODS, 'default', 'p', { ...p, status: { phase: 'Running' } }, { subresource: 'status' });
    expect(withStatus.status.phase).toBe('Running');
    const main = await objects.update(PODS, 'default', 'p', { ...withStatus, status: { phase: 'Failed' }, metadata: { ...withStatus.metadata, labels: { x: 'y' } } });
    expect(main.status.phase).toBe('Running');
    expect(main.metadata.labels).toEqual({ x: 'y' });
    const status = await objects.update(PODS, 'default', 'p', { ...main, metadata: { ...main.metadata, labels: {} }, status: { phase: 'Succeeded' } }, { subresource: 'status' });
    expect(status.metadata.labels).toEqual({ x: 'y' });
    expect(status.status.phase).toBe('Succeeded');
  });

  it('generates names, refuses missing and terminating namespaces, and duplicates', async () => {
    const g = await objects.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cfg-' } });
    expect(g.metadata.name).toMatch(/^cfg-[a-z0-9]{5}$/);
    expect(await reason(objects.create(CM, 'nope', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }))).toBe('404 NotFound');
    expect(await reason(objects.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.metadata.name } }))).toBe('409 AlreadyExists');
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    await objects.delete(NS, '', 'gone');
    expect(objects.find(NS, '', 'gone')?.status.phase).toBe('Terminating');
    expect(await reason(objects.create(CM, 'gone', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }))).toBe('403 Forbidden');
    expect(await reason(objects.delete(NS, '', 'default'))).toBe('403 Forbidden');
  });

  it('refuses a stale resourceVersion, and lands an unconditional update behind a queued write', async () => {
    const c = await objects.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { v: '0' } });
    await objects.update(CM, 'default', 'c', { ...c, data: { v: '1' } });
    expect(await reason(objects.update(CM, 'default', 'c', { ...c, data: { v: '2' } }))).toBe('409 Conflict');
    const unconditional = (v: string) => objects.update(CM, 'default', 'c', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { v } });
    const results = await Promise.all([unconditional('a'), unconditional('b'), unconditional('c')]);
    expect(results.map((r) => r.data.v)).toEqual(['a', 'b', 'c']);
    expect(objects.find(CM, 'default', 'c')?.data).toEqual({ v: 'c' });
  });

  it('deletes at once without finalizers, and waits for finalizers and graceful pods', async () => {
    await objects.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' } });
    expect((await objects.delete(CM, 'default', 'plain')).deleted).toBe(true);

    await objects.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const held = await objects.delete(CM, 'default', 'held');
    expect(held.deleted).toBe(false);
    expect(held.object.metadata.deletionTimestamp).toBe('2026-01-01T00:00:00Z');
    await objects.mutate(CM, 'default', 'held', (o) => ({ ...o, metadata: { ...o.metadata, finalizers: [] } }));
    expect(objects.find(CM, 'default', 'held')).toBeUndefined();

    await objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi' }, spec: {} });
    await objects.create(PODS, 'default', pod('running', { nodeName: 'pi', terminationGracePeriodSeconds: 10 }));
    const graceful = await objects.delete(PODS, 'default', 'running');
    expect(graceful.deleted).toBe(false);
    expect(graceful.object.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T00:00:10Z', deletionGracePeriodSeconds: 10 });
    expect((await objects.delete(PODS, 'default', 'running', { gracePeriodSeconds: 0 })).deleted).toBe(true);

    await objects.create(PODS, 'default', pod('unscheduled'));
    expect((await objects.delete(PODS, 'default', 'unscheduled')).deleted).toBe(true);
  });

  it('adds foreground and orphan finalizers for those propagation policies', async () => {
    await objects.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fg' } });
    expect((await objects.delete(CM, 'default', 'fg', { propagationPolicy: 'Foreground' })).object.metadata.finalizers).toEqual(['foregroundDeletion']);
    await objects.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'or' } });
    expect((await objects.delete(CM, 'default', 'or', { propagationPolicy: 'Orphan' })).object.metadata.finalizers).toEqual(['orphan']);
  });

  it('patches with every patch type and creates on server-side apply', async () => {
    await objects.create(DEPLOY, 'default', deploy('x:1'));
    const smp = await objects.patch(DEPLOY, 'default', 'web', 'application/strategic-merge-patch+json', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'c', image: 'x:2' }] } } } }));
    expect(smp.object.spec.template.spec.containers).toHaveLength(1);
    expect(smp.object.spec.template.spec.containers[0].image).toBe('x:2');
    const mp = await objects.patch(DEPLOY, 'default', 'web', 'application/merge-patch+json', JSON.stringify({ spec: { replicas: 3 } }));
    expect(mp.object.spec.replicas).toBe(3);
    const jp = await objects.patch(DEPLOY, 'default', 'web', 'application/json-patch+json', JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: 2 }]));
    expect(jp.object.spec.replicas).toBe(2);
    const ssa = await objects.patch(CM, 'default', 'applied', 'application/apply-patch+yaml', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { a: '1' } }));
    expect(ssa.created).toBe(true);
    expect(await reason(objects.patch(CM, 'default', 'missing', 'application/merge-patch+json', '{}'))).toBe('404 NotFound');
    expect(await reason(objects.patch(DEPLOY, 'default', 'web', 'application/json-patch+json', JSON.stringify([{ op: 'replace', path: '/nope/x', value: 1 }])))).toMatch(/^4\d\d /);
  });

  it('refuses changes to what may not change (a Deployment selector)', async () => {
    const d = await objects.create(DEPLOY, 'default', deploy('x:1'));
    const moved = structuredClone(d);
    moved.spec.selector = { matchLabels: { app: 'other' } };
    moved.spec.template.metadata.labels = { app: 'other' };
    expect(await reason(objects.update(DEPLOY, 'default', 'web', moved))).toBe('422 Invalid');
  });

  it('does not store anything on dry run', async () => {
    await objects.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } }, { dryRun: true });
    expect(objects.find(CM, 'default', 'dry')).toBeUndefined();
  });
});
