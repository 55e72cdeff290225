// fake: what only the fake does (the shared behaviours are in contract.test.ts): driven time,
// a test acting as the world, and scale.
import { describe, expect, it } from 'vitest';
import { ManualClock } from './fake-clock.js';
import { FakeRuntime, normalizeRef } from './fake.js';
import { type ContainerSpec, LABELS } from './runtime.js';

const IMAGE = 'local/busybox:1';

function setup(opts: { architecture?: string } = {}) {
  const clock = new ManualClock();
  const rt = new FakeRuntime({ clock, ...opts });
  rt.addImage(IMAGE, { cmd: ['/bin/sh'] });
  let n = 0;
  const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({
    name: `c${++n}`,
    image: IMAGE,
    labels: { [LABELS.podUid]: `uid-${n}` },
    network: 'bridge',
    ...over,
  });
  const run = async (s: ContainerSpec) => {
    const id = await rt.create(s);
    await rt.start(id);
    return id;
  };
  return { clock, rt, spec, run };
}

describe('FakeRuntime', () => {
  it('plays a crash loop on the clock: print, wait, exit 1', async () => {
    const { clock, rt, spec, run } = setup();
    const events: string[] = [];
    const abort = new AbortController();
    void rt.events((e) => events.push(e.action), abort.signal);
    const id = await run(spec({ command: ['sh', '-c', 'echo starting; sleep 10; exit 1'] }));
    await clock.advance(9_999);
    expect((await rt.inspect(id))?.state.status).toBe('running');
    await clock.advance(1);
    expect((await rt.inspect(id))?.state).toMatchObject({
      status: 'exited',
      exitCode: 1,
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:10.000Z',
    });
    await rt.start(id); // a restart keeps the logs, like Docker
    await clock.advance(10_000);
    let logs = '';
    for await (const b of rt.logs(id, { follow: false }, abort.signal)) logs += b;
    expect(logs).toBe('starting\nstarting\n');
    expect(events).toEqual(['start', 'die', 'start', 'die']);
    expect(clock.timers).toBe(0);
    abort.abort();
  });

  it('waits the grace period for a PID 1 that ignores SIGTERM, unless the image handles it', async () => {
    const { clock, rt, spec, run } = setup();
    rt.addImage('nginx:1', { cmd: ['nginx'], sigtermExitCode: 0 });
    const bare = await run(spec({ args: ['sleep', '1000'] }));
    const nginx = await run(spec({ image: 'nginx:1' }));
    let stopped = false;
    const stopping = rt.stop(bare, 30).then(() => {
      stopped = true;
    });
    await clock.advance(29_000);
    expect(stopped).toBe(false);
    await clock.advance(1_000);
    await stopping;
    expect((await rt.inspect(bare))?.state.exitCode).toBe(137);
    await rt.stop(nginx, 30);
    expect((await rt.inspect(nginx))?.state.exitCode).toBe(0);
  });

  it('lets a test crash a container, with or without an OOM kill', async () => {
    const { rt, spec, run } = setup();
    const seen: string[] = [];
    const abort = new AbortController();
    void rt.events((e) => seen.push(e.action), abort.signal);
    const id = await run(spec({ args: ['httpd', '-f'] }));
    rt.crash(id, 137, { oom: true });
    expect((await rt.inspect(id))?.state).toMatchObject({ status: 'exited', exitCode: 137, oomKilled: true });
    expect(seen).toEqual(['start', 'oom', 'die']);
    abort.abort();
  });

  it('answers execs from a handler per container or per image, with timeouts on the clock', async () => {
    const { clock, rt, spec, run } = setup();
    rt.addImage('app:1', { cmd: ['app'], exec: (cmd) => ({ exitCode: cmd[0] === 'healthy' ? 0 : 1, output: '' }) });
    const app = await run(spec({ image: 'app:1' }));
    expect((await rt.exec(app, ['healthy'], 1000)).exitCode).toBe(0);
    expect((await rt.exec(app, ['other'], 1000)).exitCode).toBe(1);
    rt.setExec(app, () => new Promise(() => {})); // hangs
    const pending = rt.exec(app, ['healthy'], 1000);
    await clock.advance(1000);
    expect(await pending).toEqual({ exitCode: -1, output: '', timedOut: true });
    rt.setExec(app, undefined);
    const plain = await run(spec({ args: ['sleep', '100'] }));
    expect(await rt.exec(plain, ['cat', '/tmp/healthy'], 1000)).toEqual({ exitCode: 0, output: '' });
  });

  it('hands out addresses deterministically and frees them on exit', async () => {
    const { rt, spec, run } = setup();
    await rt.ensureNetwork('pods', '10.244.1.0/24', '10.244.1.1');
    const a = await run(spec({ network: 'pods', args: ['httpd'] }));
    const b = await run(spec({ network: 'pods', args: ['httpd'] }));
    const fixed = await run(spec({ network: 'pods', ipAddress: '10.244.1.50', args: ['httpd'] }));
    expect([(await rt.inspect(a))?.ip, (await rt.inspect(b))?.ip, (await rt.inspect(fixed))?.ip]).toEqual([
      '10.244.1.2',
      '10.244.1.3',
      '10.244.1.50',
    ]);
    await expect(run(spec({ network: 'pods', ipAddress: '10.244.1.50', args: ['httpd'] }))).rejects.toThrow(/already in use/);
    await expect(run(spec({ network: 'pods', ipAddress: '10.9.9.9', args: ['httpd'] }))).rejects.toThrow(/no configured subnet/);
    await expect(rt.create(spec({ ipAddress: '172.17.0.9', args: ['httpd'] }))).rejects.toThrow(/user defined networks only/);
    await expect(rt.create(spec({ network: 'nope' }))).rejects.toThrow(/network nope not found/);
    rt.crash(fixed, 1);
    expect((await rt.inspect(fixed))?.ip).toBeUndefined();
    await rt.start(fixed);
    expect((await rt.inspect(fixed))?.ip).toBe('10.244.1.50');
  });

  it('refuses to start a container whose infra container is not running', async () => {
    const { rt, spec, run } = setup();
    const infra = await rt.create(spec({ image: await rt.ensurePauseImage() }));
    const app = await rt.create(spec({ network: `container:${infra}`, args: ['httpd'] }));
    await expect(rt.start(app)).rejects.toThrow(/cannot join network of a non running container/);
    await rt.start(infra);
    await rt.start(app);
    expect((await rt.inspect(app))?.ip).toBe((await rt.inspect(infra))?.ip);
    expect((await rt.list()).find((c) => c.id === app)?.ip).toBeUndefined(); // as Docker's list
    void run;
  });

  it('pulls from its registry, with credentials where the image wants them', async () => {
    const { rt } = setup({ architecture: 'aarch64' });
    rt.addRemoteImage('nginx:1.25');
    rt.addRemoteImage('private/app:1', { auth: { username: 'u', password: 'p' }, architecture: 'arm', variant: 'v7' });
    const progress: string[] = [];
    await rt.pull('docker.io/library/nginx:1.25', undefined, (p) => progress.push(p.status));
    expect(progress.at(-1)).toBe('Status: Downloaded newer image for nginx:1.25');
    expect(await rt.image('nginx:1.25')).toMatchObject({ os: 'linux', architecture: 'arm64' });
    await expect(rt.pull('nginx:9', undefined)).rejects.toThrow(/^pull nginx:9: manifest for nginx:9 not found: manifest unknown/);
    await expect(rt.pull('private/app:1', undefined)).rejects.toThrow(/pull access denied for private\/app/);
    await rt.pull('private/app:1', { username: 'u', password: 'p' });
    expect(await rt.image('private/app:1')).toMatchObject({ architecture: 'arm', variant: 'v7' });
    expect(rt.pulls).toEqual(['docker.io/library/nginx:1.25', 'nginx:9', 'private/app:1', 'private/app:1']);
    expect(await rt.ensurePauseImage()).toBe('bramble/pause:arm64-1');
  });

  it('fails every call and ends event streams while the engine is down', async () => {
    const { rt } = setup();
    const stream = rt.events(() => {}, new AbortController().signal);
    rt.setEngineDown(true);
    await expect(stream).rejects.toThrow(/ENOENT/);
    await expect(rt.list()).rejects.toThrow(/fake engine is down/);
    rt.setEngineDown(false);
    expect(await rt.list()).toEqual([]);
  });

  it('keeps only the newest log bytes, and follows across the trim', async () => {
    const clock = new ManualClock();
    const rt = new FakeRuntime({ clock, maxLogBytes: 10 });
    rt.addImage(IMAGE);
    const id = await rt.create({ name: 'x', image: IMAGE, labels: {}, network: 'bridge', args: ['httpd'] });
    await rt.start(id);
    for (const line of ['aaaa\n', 'bbbb\n', 'cccc\n']) rt.write(id, line);
    const abort = new AbortController();
    const got: string[] = [];
    const follow = (async () => {
      for await (const b of rt.logs(id, { follow: true }, abort.signal)) got.push(b.toString());
    })();
    await clock.advance(0);
    rt.write(id, 'dddd\n');
    rt.write(id, 'eeee\n');
    rt.write(id, 'ffff\n');
    await clock.advance(0);
    await rt.stop(id, 0);
    await follow;
    expect(got).toEqual(['bbbb\n', 'cccc\n', 'eeee\n', 'ffff\n']);
  });

  it('normalizes image references as Docker does', () => {
    expect(normalizeRef('busybox')).toBe('busybox:latest');
    expect(normalizeRef('docker.io/library/busybox:1')).toBe('busybox:1');
    expect(normalizeRef('registry:5000/app')).toBe('registry:5000/app:latest');
    expect(normalizeRef('app@sha256:abc')).toBe('app@sha256:abc');
  });

  it('simulates thousands of containers quickly', async () => {
    const { clock, rt, spec, run } = setup();
    await rt.ensureNetwork('pods', '10.0.0.0/16');
    const t0 = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) ids.push(await run(spec({ network: 'pods', command: ['sh', '-c', `sleep ${1 + (i % 50)}; exit 1`] })));
    expect((await rt.list()).filter((c) => c.state.status === 'running')).toHaveLength(5000);
    await clock.advance(50_000);
    expect((await rt.list()).every((c) => c.state.status === 'exited' && c.state.exitCode === 1)).toBe(true);
    await Promise.all(ids.map((id) => rt.remove(id)));
    expect(await rt.list()).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
