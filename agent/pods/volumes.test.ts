import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { indexLookup } from './sources.js';
import { PodVolumes, projectFiles, safeJoin } from './volumes.js';

const pod = (volumes: any[]): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { b: '2', a: '1' } },
  spec: { containers: [], volumes },
});
const lookup = indexLookup(
  [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' }, data: { k: 'v', other: 'o' }, binaryData: { bin: Buffer.from([1, 2]).toString('base64') } }],
  [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { token: Buffer.from('t0k').toString('base64') } }],
);
const ctx = (volumes: any[]) => ({ pod: pod(volumes), lookup, nodeName: 'pi1', hostIP: '192.168.1.10', podIP: '10.42.0.3' });
const files = (v: any) => {
  const r = projectFiles(v, ctx([v]));
  return r?.ok ? r.value.map((f) => [f.path, f.data.toString('utf8'), f.mode.toString(8)]) : r;
};

describe('projectFiles', () => {
  it('projects all keys with defaultMode, or just items with their own modes', () => {
    expect(files({ name: 'v', configMap: { name: 'cm' } })).toEqual([
      ['k', 'v', '644'],
      ['other', 'o', '644'],
      ['bin', '\u0001\u0002', '644'],
    ]);
    expect(files({ name: 'v', configMap: { name: 'cm', defaultMode: 0o600, items: [{ key: 'k', path: 'dir/key' }, { key: 'other', path: 'o', mode: 0o400 }] } })).toEqual([
      ['dir/key', 'v', '600'],
      ['o', 'o', '400'],
    ]);
    expect(files({ name: 'v', secret: { secretName: 's' } })).toEqual([['token', 't0k', '644']]);
  });

  it('projects downward API fields and several sources', () => {
    expect(
      files({
        name: 'v',
        projected: {
          sources: [
            { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }] } },
            { secret: { name: 's', items: [{ key: 'token', path: 'tok' }] } },
          ],
        },
      }),
    ).toEqual([
      ['labels', 'a="1"\nb="2"', '644'],
      ['ip', '10.42.0.3', '644'],
      ['tok', 't0k', '644'],
    ]);
  });

  it.each([
    [{ name: 'v', configMap: { name: 'nope' } }, 'configmap "nope" not found'],
    [{ name: 'v', secret: { secretName: 's', items: [{ key: 'zz', path: 'z' }] } }, "couldn't find key zz in Secret ns/s"],
  ])('fails for a missing source: %j', (v, message) => expect(projectFiles(v, ctx([v]))).toEqual({ ok: false, message }));

  it('lets optional sources be missing', () => {
    expect(files({ name: 'v', configMap: { name: 'nope', optional: true } })).toEqual([]);
  });
});

describe('safeJoin', () => {
  it.each([
    ['a/b', '/d/a/b'],
    ['../x', undefined],
    ['a/../../x', undefined],
    ['/etc/passwd', undefined],
    ['', undefined],
  ])('%s', (rel, out) => expect(safeJoin('/d', rel)).toBe(out));
});

describe('PodVolumes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-vol-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates emptyDirs and hostPaths, writes projections, and removes the pod dir', async () => {
    const host = join(dir, 'host', 'data');
    const vols = [
      { name: 'scratch', emptyDir: {} },
      { name: 'h', hostPath: { path: host, type: 'DirectoryOrCreate' } },
      { name: 'cfg', configMap: { name: 'cm', items: [{ key: 'k', path: 'k.txt', mode: 0o640 }] } },
    ];
    const pv = new PodVolumes(join(dir, 'pods', 'u'));
    expect(await pv.setup(ctx(vols))).toEqual({ ok: true, value: undefined });
    expect(statSync(join(dir, 'pods', 'u', 'volumes', 'scratch')).mode & 0o777).toBe(0o777);
    expect(existsSync(host)).toBe(true);
    const cfg = join(dir, 'pods', 'u', 'volumes', 'cfg', 'k.txt');
    expect(readFileSync(cfg, 'utf8')).toBe('v');
    expect(statSync(cfg).mode & 0o777).toBe(0o640);
    const mounts = await pv.mounts({ name: 'c', image: 'i', volumeMounts: [{ name: 'h', mountPath: '/h', readOnly: true }, { name: 'scratch', mountPath: '/s', subPath: 'deep/er' }] });
    expect(mounts).toEqual({
      ok: true,
      value: [
        { source: host, target: '/h', readOnly: true },
        { source: join(dir, 'pods', 'u', 'volumes', 'scratch', 'deep', 'er'), target: '/s', readOnly: false },
      ],
    });
    expect(existsSync(join(dir, 'pods', 'u', 'volumes', 'scratch', 'deep', 'er'))).toBe(true);
    expect(await pv.mounts({ name: 'c', image: 'i', volumeMounts: [{ name: 'scratch', mountPath: '/s', subPath: '../../x' }] })).toMatchObject({ ok: false });
    await pv.remove();
    expect(existsSync(join(dir, 'pods', 'u'))).toBe(false);
    expect(existsSync(host)).toBe(true);
  });

  it('checks hostPath types', async () => {
    const file = join(dir, 'f');
    writeFileSync(file, '');
    const pv = new PodVolumes(join(dir, 'pods', 'u'));
    expect((await pv.setup(ctx([{ name: 'h', hostPath: { path: file, type: 'Directory' } }]))).ok).toBe(false);
    expect((await pv.setup(ctx([{ name: 'h', hostPath: { path: join(dir, 'missing'), type: 'File' } }]))).ok).toBe(false);
    expect((await pv.setup(ctx([{ name: 'h', hostPath: { path: join(dir, 'new.sock'), type: 'FileOrCreate' } }]))).ok).toBe(true);
    expect((await pv.setup(ctx([{ name: 'n', nfs: { server: 'x', path: '/' } }])))).toEqual({ ok: false, message: 'MountVolume.SetUp failed for volume "n" : volume type nfs is not supported by Bramble' });
  });

  it('rewrites a projection whose data changed and drops files no longer projected', async () => {
    const pv = new PodVolumes(join(dir, 'pods', 'u'));
    const v = { name: 'cfg', configMap: { name: 'cm' } };
    await pv.setup(ctx([v]));
    const base = join(dir, 'pods', 'u', 'volumes', 'cfg');
    expect(existsSync(join(base, 'other'))).toBe(true);
    await pv.setup(ctx([{ name: 'cfg', configMap: { name: 'cm', items: [{ key: 'k', path: 'k' }] } }]));
    expect(existsSync(join(base, 'other'))).toBe(false);
    expect(readFileSync(join(base, 'k'), 'utf8')).toBe('v');
  });
});
