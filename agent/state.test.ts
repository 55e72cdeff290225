import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesiredState } from '../shared/mqtt/payloads.js';
import { DESIRED_FILE, DesiredStateStore } from './state.js';

const state = (revision: number, pods = 1): DesiredState => ({
  v: 1,
  revision,
  pods: Array.from({ length: pods }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default' } })),
  configMaps: [],
  secrets: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { k: 'dg==' } }],
});

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'bramble-state-')), 'agent');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DesiredStateStore', () => {
  it('starts empty when nothing was saved', async () => {
    expect(await new DesiredStateStore(dir).load()).toBeUndefined();
  });

  it('saves an accepted state privately and loads it after a restart', async () => {
    const a = new DesiredStateStore(dir);
    expect(await a.accept(state(7, 3))).toBe(true);
    expect((await stat(join(dir, DESIRED_FILE))).mode & 0o777).toBe(0o600); // it holds Secrets
    const b = new DesiredStateStore(dir);
    expect(await b.load()).toEqual(state(7, 3));
    expect(b.last?.revision).toBe(7);
  });

  it('ignores older and equal revisions, accepts newer ones', async () => {
    const s = new DesiredStateStore(dir);
    await s.accept(state(10));
    expect(await s.accept(state(9))).toBe(false);
    expect(await s.accept(state(10))).toBe(false);
    expect(await s.accept(state(11))).toBe(true);
    expect(JSON.parse(await readFile(s.path, 'utf8')).revision).toBe(11);
  });

  it("takes the broker's retained state even when its revision went backwards (server restored)", async () => {
    const s = new DesiredStateStore(dir);
    await s.accept(state(500));
    expect(await s.accept(state(480), true)).toBe(true);
    expect(await s.accept(state(480), true)).toBe(false);
    expect((await new DesiredStateStore(dir).load())?.revision).toBe(480);
  });

  it('leaves no temporary files behind and ends with the newest of concurrent states', async () => {
    const s = new DesiredStateStore(dir);
    await Promise.all([1, 2, 3, 4, 5].map((r) => s.accept(state(r))));
    expect(await readdir(dir)).toEqual([DESIRED_FILE]);
    expect((await new DesiredStateStore(dir).load())?.revision).toBe(5);
  });

  it('treats a corrupt file as nothing saved, with a warning', async () => {
    const s = new DesiredStateStore(dir);
    await s.accept(state(1));
    await writeFile(s.path, '{"v":1,"revision":');
    const warn = vi.fn();
    expect(await new DesiredStateStore(dir, { warn }).load()).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/ignoring corrupt .*desired\.json/));
  });
});
