// workers: the pod manager against the FakeRuntime, on a manual clock: start, adoption, restarts
// and back-off, init containers, images, termination.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LABELS } from '../runtime/runtime.js';
import { statusLabel } from './status.js';
import { Harness, makePod, NODE_IP } from './testing.js';

let h: Harness;

afterEach(async () => {
  await h?.close();
});

async function setup(opts: ConstructorParameters<typeof Harness>[0] = {}): Promise<Harness> {
  h = new Harness(opts);
  h.rt.addImage('web:1', { cmd: ['httpd', '-f'], sigtermExitCode: 0 });
  h.rt.addImage('busybox:1', { cmd: ['sh'] });
  await h.start();
  return h;
}

const web = (name = 'web', extra: Record<string, any> = {}) => makePod(name, { containers: [{ name: 'app', image: 'web:1', ...extra }] });

describe('PodManager', () => {
  it('starts a pod: infra container on the pod network, then the app joined to it; Running and Ready', async () => {
    await setup();
    h.desire([web('web', { ports: [{ containerPort: 80, hostPort: 8080 }] })]);
    await h.advance(0);
    const s = h.status('web');
    expect(s?.phase).toBe('Running');
    expect(s?.podIP).toMatch(/^10\.42\.0\.\d+$/);
    expect(s?.hostIP).toBe(NODE_IP);
    expect(s?.conditions.find((c: any) => c.type === 'Ready')?.status).toBe('True');
    expect(h.container('web', 'app')).toMatchObject({ ready: true, started: true, restartCount: 0, state: { running: {} } });
    expect(h.container('web', 'app')?.containerID).toMatch(/^fake:\/\//);
    const [infra, app] = h.specs;
    expect(infra).toMatchObject({ network: 'pods', init: true, hostname: 'web', hostPorts: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }] });
    expect(infra.dnsServers).toEqual(['10.43.0.10']);
    expect(infra.dnsSearch?.[0]).toBe('default.svc.cluster.local');
    expect(infra.labels[LABELS.role]).toBe('infra');
    expect(app.network).toMatch(/^container:/);
    expect(app.labels).toMatchObject({ [LABELS.podUid]: 'uid-web', [LABELS.container]: 'app', [LABELS.role]: 'app', [LABELS.attempt]: '0' });
    expect(h.reasons()).toEqual(expect.arrayContaining(['Pulled', 'Created', 'Started']));
  });

  it('reports only changes: a resync with nothing new sends nothing', async () => {
    await setup();
    h.desire([web()]);
    await h.advance(0);
    const before = h.reports.length;
    await h.advance(30_000);
    expect(h.reports.length).toBe(before);
  });

  it('leaves no timer behind when stopped (probes, resync, status batching)', async () => {
    await setup();
    const probe = { exec: { command: ['true'] }, periodSeconds: 5 };
    h.desire([web('web', { livenessProbe: probe, readinessProbe: probe })]);
    await h.advance(12_000);
    expect(h.container('web', 'app')?.ready).toBe(true);
    expect(h.clock.timers).toBeGreaterThan(0);
    await h.mgr.stop();
    expect(h.clock.timers).toBe(0);
  });

  it('adopts running containers after an agent restart: same ids, no new containers, same pod IP', async () => {
    await setup();
    const pods = [web()];
    h.desire(pods);
    await h.advance(0);
    const ids = (await h.rt.list()).map((c) => c.id).sort();
    const ip = h.status('web')?.podIP;
    const created = h.specs.length;
    await h.restartAgent();
    h.desire(pods);
    await h.advance(15_000);
    expect((await h.rt.list()).map((c) => c.id).sort()).toEqual(ids);
    expect(h.specs.length).toBe(created);
    expect(h.status('web')).toMatchObject({ phase: 'Running', podIP: ip });
    expect(h.container('web', 'app')?.restartCount).toBe(0);
  });

  it('restarts a crashed container with back-off 10 s, 20 s, 40 s, keeping the pod IP', async () => {
    await setup();
    h.desire([makePod('crash', { containers: [{ name: 'app', image: 'busybox:1', command: ['sh', '-c', 'sleep 1; exit 3'] }] })]);
    await h.advance(0);
    const ip = h.status('crash')?.podIP;
    await h.advance(1_000); // exits; the first restart is immediate
    expect(h.container('crash', 'app')).toMatchObject({ restartCount: 1, state: { running: {} } });
    expect(h.container('crash', 'app')?.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    await h.advance(1_000); // exits again: back-off 10 s
    expect(h.container('crash', 'app')).toMatchObject({
      restartCount: 1,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app pod=crash_default(uid-crash)' } },
    });
    expect(statusLabel(h.status('crash') as any)).toBe('CrashLoopBackOff');
    await h.advance(9_000);
    expect(h.container('crash', 'app')?.restartCount).toBe(1);
    await h.advance(1_000);
    expect(h.container('crash', 'app')).toMatchObject({ restartCount: 2, state: { running: {} } });
    await h.advance(1_000);
    expect(h.container('crash', 'app')?.state.waiting.message).toMatch(/^back-off 20s /);
    await h.advance(20_000);
    expect(h.container('crash', 'app')?.restartCount).toBe(3);
    await h.advance(1_000);
    expect(h.container('crash', 'app')?.state.waiting.message).toMatch(/^back-off 40s /);
    expect(h.status('crash')?.podIP).toBe(ip);
    expect(h.status('crash')?.phase).toBe('Running');
    // only the latest attempt and the one before it are kept
    const apps = (await h.rt.list()).filter((c) => c.labels[LABELS.container] === 'app');
    expect(apps.map((c) => c.labels[LABELS.attempt]).sort()).toEqual(['2', '3']);
    expect(h.events.filter((e) => e.reason === 'BackOff').length).toBeGreaterThanOrEqual(3);
  });

  it('reports an OOM kill as OOMKilled', async () => {
    await setup();
    h.desire([web()]);
    await h.advance(0);
    const id = (await h.rt.list()).find((c) => c.labels[LABELS.role] === 'app')?.id as string;
    h.rt.crash(id, 137, { oom: true });
    await h.advance(0);
    expect(h.container('web', 'app')?.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(h.container('web', 'app')?.restartCount).toBe(1);
  });

  it('restartPolicy Never: a failed container stays down and the pod is Failed', async () => {
    await setup();
    h.desire([makePod('once', { restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox:1', command: ['sh', '-c', 'exit 2'] }] })]);
    await h.advance(60_000);
    expect(h.status('once')?.phase).toBe('Failed');
    expect(h.container('once', 'job')).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } });
    const infra = (await h.rt.list()).find((c) => c.labels[LABELS.role] === 'infra');
    expect(infra?.state.status).toBe('exited'); // the sandbox is stopped, the containers kept for logs
  });

  it('restartPolicy OnFailure: success completes the pod, failure restarts', async () => {
    await setup();
    h.desire([
      makePod('ok', { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox:1', command: ['sh', '-c', 'exit 0'] }] }),
      makePod('bad', { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox:1', command: ['sh', '-c', 'exit 1'] }] }),
    ]);
    await h.advance(5_000);
    expect(h.status('ok')?.phase).toBe('Succeeded');
    expect(h.container('ok', 'job')?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(h.status('bad')?.phase).toBe('Running');
    expect(h.container('bad', 'job')?.restartCount).toBeGreaterThanOrEqual(1);
    // a finished pod is not started again after an agent restart
    const created = h.specs.length;
    await h.restartAgent();
    h.desire([makePod('ok', { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox:1', command: ['sh', '-c', 'exit 0'] }] })]);
    await h.advance(1_000);
    expect(h.specs.length).toBe(created);
  });

  it('runs init containers one after another before the app', async () => {
    await setup();
    h.desire([
      makePod('init', {
        initContainers: [
          { name: 'first', image: 'busybox:1', command: ['sh', '-c', 'sleep 5'] },
          { name: 'second', image: 'busybox:1', command: ['sh', '-c', 'sleep 5'] },
        ],
        containers: [{ name: 'app', image: 'web:1' }],
      }),
    ]);
    await h.advance(0);
    expect(statusLabel(h.status('init') as any)).toBe('Init:0/2');
    expect(h.container('init', 'app')?.state.waiting.reason).toBe('PodInitializing');
    expect(h.status('init')?.phase).toBe('Pending');
    await h.advance(5_000);
    expect(statusLabel(h.status('init') as any)).toBe('Init:1/2');
    await h.advance(5_000);
    expect(h.status('init')?.phase).toBe('Running');
    expect(h.status('init')?.conditions.find((c: any) => c.type === 'Initialized')?.status).toBe('True');
    expect(h.container('init', 'first')).toMatchObject({ ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(h.specs.map((s) => s.labels[LABELS.container])).toEqual(['POD', 'first', 'second', 'app']);
  });

  it('restarts a failing init container with back-off and fails the pod under Never', async () => {
    await setup();
    const init = [{ name: 'setup', image: 'busybox:1', command: ['sh', '-c', 'exit 1'] }];
    h.desire([
      makePod('retry', { initContainers: init, containers: [{ name: 'app', image: 'web:1' }] }),
      makePod('never', { restartPolicy: 'Never', initContainers: init, containers: [{ name: 'app', image: 'web:1' }] }),
    ]);
    await h.advance(2_000);
    expect(h.container('retry', 'setup')?.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(statusLabel(h.status('retry') as any)).toBe('Init:CrashLoopBackOff');
    expect(h.status('never')?.phase).toBe('Failed');
    expect(h.specs.filter((s) => s.labels[LABELS.podUid] === 'uid-never' && s.labels[LABELS.container] === 'app')).toHaveLength(0);
  });

  it('reports a missing image as ErrImagePull with the runtime message, then ImagePullBackOff, and pulls again after the back-off', async () => {
    await setup();
    h.desire([makePod('nopull', { containers: [{ name: 'app', image: 'ghcr.io/acme/missing:1' }] })]);
    await h.advance(0);
    expect(h.container('nopull', 'app')?.state.waiting).toMatchObject({ reason: 'ErrImagePull' });
    expect(h.container('nopull', 'app')?.state.waiting.message).toMatch(/pull access denied/);
    await h.advance(1_000);
    expect(h.container('nopull', 'app')?.state.waiting).toEqual({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "ghcr.io/acme/missing:1"' });
    expect(h.rt.pulls.filter((r) => r.includes('missing'))).toHaveLength(1);
    await h.advance(9_000);
    expect(h.rt.pulls.filter((r) => r.includes('missing'))).toHaveLength(2);
    expect(h.reasons()).toEqual(expect.arrayContaining(['Pulling', 'Failed', 'BackOff']));
    // once the image exists, the next attempt (after 20 s) pulls it and starts the container
    h.rt.addRemoteImage('ghcr.io/acme/missing:1', { cmd: ['server'] });
    await h.advance(21_000);
    expect(h.container('nopull', 'app')?.state.running).toBeDefined();
  });

  it('pulls with credentials from imagePullSecrets', async () => {
    await setup();
    h.rt.addRemoteImage('registry.example.com/team/app:2', { cmd: ['server'], auth: { username: 'bot', password: 's3cret' } });
    const config = { auths: { 'registry.example.com': { auth: Buffer.from('bot:s3cret').toString('base64') } } };
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/dockerconfigjson',
      metadata: { name: 'regcred', namespace: 'default' },
      data: { '.dockerconfigjson': Buffer.from(JSON.stringify(config)).toString('base64') },
    };
    h.desire([makePod('private', { imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'app', image: 'registry.example.com/team/app:2' }] })], { secrets: [secret] });
    await h.advance(0);
    expect(h.container('private', 'app')?.state.running).toBeDefined();
  });

  it('refuses an image built for another architecture with a clear message and no crash loop', async () => {
    await setup({ architecture: 'aarch64' });
    h.rt.addImage('x86only:1', { cmd: ['server'], architecture: 'amd64' });
    h.desire([makePod('wrongarch', { containers: [{ name: 'app', image: 'x86only:1' }] })]);
    await h.advance(60_000);
    expect(h.container('wrongarch', 'app')).toMatchObject({
      restartCount: 0,
      state: { waiting: { reason: 'ImageInspectError', message: 'image x86only:1 is built for linux/amd64, this node is linux/arm64' } },
    });
    expect(h.specs.filter((s) => s.labels[LABELS.container] === 'app')).toHaveLength(0);
    expect(h.events.some((e) => e.type === 'Warning' && e.message.includes('built for linux/amd64'))).toBe(true);
  });

  it('stops a removed pod with SIGTERM and its grace period, then removes its containers and directory', async () => {
    await setup();
    h.rt.addImage('stubborn:1', { cmd: ['server'] }); // PID 1 ignores SIGTERM: killed after the grace period
    h.desire([makePod('bye', { terminationGracePeriodSeconds: 20, volumes: [{ name: 'scratch', emptyDir: {} }], containers: [{ name: 'app', image: 'stubborn:1', volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }] })]);
    await h.advance(0);
    const dir = join(h.dataDir, 'pods', 'uid-bye');
    expect(existsSync(join(dir, 'volumes', 'scratch'))).toBe(true);
    h.desire([]);
    await h.settle(); // the worker now waits in stop(): move the clock in one go
    await h.clock.advance(19_000);
    expect((await h.rt.list()).find((c) => c.labels[LABELS.role] === 'app')?.state.status).toBe('running');
    await h.clock.advance(1_000);
    await h.settle();
    expect(await h.rt.list()).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(h.reasons()).toContain('Killing');
  });

  it('reports terminated: true for a pod with a deletionTimestamp once its containers are stopped', async () => {
    await setup();
    h.desire([web('del')]);
    await h.advance(0);
    expect(h.entry('del')?.terminated).toBeUndefined();
    const deleting = web('del');
    deleting.metadata.deletionTimestamp = '2025-01-01T00:00:05Z';
    deleting.metadata.deletionGracePeriodSeconds = 5;
    h.desire([deleting]);
    await h.advance(0);
    expect(h.entry('del')?.terminated).toBe(true);
    expect(await h.rt.list()).toEqual([]);
    // the server then deletes it: the worker goes away without another report
    const reports = h.reports.length;
    h.desire([]);
    await h.advance(1_000);
    expect(h.reports.length).toBe(reports);
  });

  it('stops and removes containers of pods deleted while the agent was down', async () => {
    await setup();
    h.desire([web('gone'), web('kept')]);
    await h.advance(0);
    await h.mgr.stop();
    h.mgr = h.newManager();
    await h.mgr.start();
    h.desire([web('kept')]);
    await h.advance(0);
    const left = await h.rt.list();
    expect(new Set(left.map((c) => c.labels[LABELS.podUid]))).toEqual(new Set(['uid-kept']));
    expect(h.entry('gone')?.status.phase).toBe('Running'); // nothing more is said about a pod the server no longer has
  });

  it('keeps working from the last desired state: an older revision is ignored', async () => {
    await setup();
    h.desire([web('a')]);
    await h.advance(0);
    h.mgr.setDesired({ v: 1, revision: 0, pods: [], configMaps: [], secrets: [] });
    await h.advance(1_000);
    expect((await h.rt.list()).length).toBe(2);
  });
});
