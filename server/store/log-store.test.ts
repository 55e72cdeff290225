import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { AlreadyExistsError, ConflictError, ExpiredError, NotFoundError } from './errors.js';
import { LogStore } from './log-store.js';
import type { StoreEvent } from './types.js';

const cm = (name: string, v = '1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { v },
});
const key = (name: string) => ({ resource: 'configmaps', namespace: 'default', name });

describe('LogStore', () => {
  let dir: string;
  let store: LogStore;
  const open = (extra = {}) => LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0, ...extra });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-store-'));
    store = await open();
  });
  afterEach(async () => {
    await store.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('assigns a global, increasing resourceVersion', async () => {
    const a = await store.create(key('a'), cm('a'));
    const b = await store.create(key('b'), cm('b'));
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(store.get(key('a'))?.data).toEqual({ v: '1' });
    expect(store.list('configmaps', 'default').items).toHaveLength(2);
    expect(store.list('configmaps', 'other').items).toHaveLength(0);
    expect(store.list('configmaps').revision).toBe(Number(b.metadata.resourceVersion));
  });

  it('refuses duplicates, stale writes and missing keys with typed errors', async () => {
    const a = await store.create(key('a'), cm('a'));
    await expect(store.create(key('a'), cm('a'))).rejects.toBeInstanceOf(AlreadyExistsError);
    const rev = Number(a.metadata.resourceVersion);
    await store.update(key('a'), cm('a', '2'), rev);
    await expect(store.update(key('a'), cm('a', '3'), rev)).rejects.toBeInstanceOf(ConflictError);
    await expect(store.delete(key('a'), rev)).rejects.toBeInstanceOf(ConflictError);
    await expect(store.update(key('zz'), cm('zz'))).rejects.toBeInstanceOf(NotFoundError);
    await store.delete(key('a'));
    expect(store.get(key('a'))).toBeUndefined();
  });

  it('checks concurrent writes to one key against each other (exactly one wins)', async () => {
    const a = await store.create(key('a'), cm('a'));
    const rev = Number(a.metadata.resourceVersion);
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => store.update(key('a'), cm('a', String(i)), rev)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('shares one commit among concurrent writes (group commit)', async () => {
    const before = store.commits;
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(key(`c${i}`), cm(`c${i}`))));
    expect(store.commits - before).toBeLessThan(10);
    expect(store.list('configmaps').items).toHaveLength(200);
  });

  it('replays missed events to a watch resumed from an old revision', async () => {
    const a = await store.create(key('a'), cm('a'));
    await store.update(key('a'), cm('a', '2'));
    await store.create(key('b'), cm('b'));
    await store.delete(key('a'));
    const seen: StoreEvent[] = [];
    store.watch({ resource: 'configmaps', fromRev: Number(a.metadata.resourceVersion) }, (e) => seen.push(e));
    expect(seen.map((e) => `${e.type}:${e.key.name}`)).toEqual(['MODIFIED:a', 'ADDED:b', 'DELETED:a']);
    await store.create(key('c'), cm('c'));
    expect(seen.at(-1)?.key.name).toBe('c');
  });

  it('filters watches by namespace and does not replay without fromRev', async () => {
    await store.create(key('a'), cm('a'));
    const seen: string[] = [];
    store.watch({ resource: 'configmaps', namespace: 'other' }, (e) => seen.push(e.key.name));
    await store.create(key('b'), cm('b'));
    await store.create({ ...key('c'), namespace: 'other' }, { ...cm('c'), metadata: { name: 'c', namespace: 'other' } });
    expect(seen).toEqual(['c']);
  });

  it('keeps every object, revision and the history across a restart', async () => {
    const a = await store.create(key('a'), cm('a'));
    const a2 = await store.update(key('a'), cm('a', '2'));
    await store.create(key('b'), cm('b'));
    await store.delete(key('b'));
    await store.close();
    store = await open();
    expect(store.get(key('a'))?.metadata.resourceVersion).toBe(a2.metadata.resourceVersion);
    expect(store.get(key('b'))).toBeUndefined();
    const seen: string[] = [];
    store.watch({ resource: 'configmaps', fromRev: Number(a.metadata.resourceVersion) }, (e) => seen.push(`${e.type}:${e.key.name}`));
    expect(seen).toEqual(['MODIFIED:a', 'ADDED:b', 'DELETED:b']);
    const next = await store.create(key('c'), cm('c'));
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(Number(a2.metadata.resourceVersion));
  });

  it('compacts old history: a watch from below the compacted revision is Expired, also after restart', async () => {
    await store.close();
    store = await open({ historyRevisions: 5 });
    const first = await store.create(key('a'), cm('a'));
    for (let i = 0; i < 20; i++) await store.update(key('a'), cm('a', String(i)));
    expect(await store.compact()).toBeGreaterThan(0);
    expect(() => store.watch({ resource: 'configmaps', fromRev: Number(first.metadata.resourceVersion) }, () => {})).toThrow(ExpiredError);
    const seen: number[] = [];
    store.watch({ resource: 'configmaps', fromRev: store.compactedRevision }, (e) => seen.push(e.rev));
    expect(seen).toHaveLength(5);
    await store.close();
    store = await open({ historyRevisions: 5 });
    expect(store.get(key('a'))?.data).toEqual({ v: '19' });
    expect(() => store.watch({ resource: 'configmaps', fromRev: 1 }, () => {})).toThrow(ExpiredError);
  });

  it('keeps a deleted-then-recreated key correct across compaction', async () => {
    await store.close();
    store = await open({ historyRevisions: 1 });
    await store.create(key('a'), cm('a'));
    await store.delete(key('a'));
    await store.create(key('a'), cm('a', 'again'));
    await store.create(key('x'), cm('x'));
    await store.compact();
    await store.close();
    store = await open({ historyRevisions: 1 });
    expect(store.get(key('a'))?.data).toEqual({ v: 'again' });
  });
});
