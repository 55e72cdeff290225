// worker: probes, container config (env, volumes, limits) and spec changes, against the FakeRuntime.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LABELS } from '../runtime/runtime.js';
import { Harness, makePod } from './testing.js';

let h: Harness;

afterEach(async () => {
  await h?.close();
});

async function setup(): Promise<Harness> {
  h = new Harness();
  h.rt.addImage('web:1', { cmd: ['httpd', '-f'], sigtermExitCode: 0 });
  h.rt.addImage('web:2', { cmd: ['httpd', '-f'], sigtermExitCode: 0 });
  await h.start();
  return h;
}

const cond = (name: string, type: string) => h.status(name)?.conditions.find((c: any) => c.type === type);
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('probes', () => {
  const health = { live: true, ready: true, started: true };
  const probed = () => {
    h.rt.addImage('probed:1', {
      cmd: ['server'],
      sigtermExitCode: 0,
      exec: (cmd) => ({ exitCode: health[cmd[0] as keyof typeof health] ? 0 : 1, output: `${cmd[0]} check failed` }),
    });
  };
  const probe = (what: string, extra: Record<string, number> = {}) => ({ exec: { command: [what] }, periodSeconds: 5, failureThreshold: 2, ...extra });

  it('restarts a container whose liveness probe fails failureThreshold times', async () => {
    await setup();
    probed();
    Object.assign(health, { live: true, ready: true, started: true });
    h.desire([makePod('live', { containers: [{ name: 'app', image: 'probed:1', livenessProbe: probe('live') }] })]);
    await h.advance(12_000);
    expect(h.container('live', 'app')?.restartCount).toBe(0);
    health.live = false;
    await h.advance(10_000);
    health.live = true;
    await h.advance(1_000);
    expect(h.container('live', 'app')).toMatchObject({ restartCount: 1, state: { running: {} } });
    expect(h.events.find((e) => e.reason === 'Unhealthy')?.message).toBe('Liveness probe failed: live check failed');
    expect(h.events.find((e) => e.reason === 'Killing')?.message).toBe('Container app failed liveness probe, will be restarted');
  });

  it('keeps Ready False while the readiness probe fails, and True once it passes', async () => {
    await setup();
    probed();
    Object.assign(health, { live: true, ready: false, started: true });
    h.desire([makePod('ready', { containers: [{ name: 'app', image: 'probed:1', readinessProbe: probe('ready', { failureThreshold: 1 }) }] })]);
    await h.advance(20_000);
    expect(h.status('ready')?.phase).toBe('Running');
    expect(h.container('ready', 'app')).toMatchObject({ ready: false, state: { running: {} } });
    expect(cond('ready', 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    const scheduledAt = cond('ready', 'PodScheduled')?.lastTransitionTime;
    health.ready = true;
    await h.advance(5_000);
    expect(h.container('ready', 'app')?.ready).toBe(true);
    expect(cond('ready', 'Ready')?.status).toBe('True');
    expect(cond('ready', 'Ready')?.lastTransitionTime).toBe('2025-01-01T00:00:25Z');
    expect(cond('ready', 'PodScheduled')?.lastTransitionTime).toBe(scheduledAt);
    expect(h.container('ready', 'app')?.restartCount).toBe(0);
  });

  it('gates liveness and readiness behind the startup probe', async () => {
    await setup();
    probed();
    Object.assign(health, { live: false, ready: true, started: false });
    h.desire([
      makePod('slow', {
        containers: [{ name: 'app', image: 'probed:1', startupProbe: probe('started', { failureThreshold: 10 }), livenessProbe: probe('live'), readinessProbe: probe('ready') }],
      }),
    ]);
    await h.advance(30_000);
    // liveness would have failed, but does not run before startup succeeds
    expect(h.container('slow', 'app')).toMatchObject({ started: false, ready: false, restartCount: 0 });
    Object.assign(health, { live: true, started: true });
    await h.advance(10_000);
    expect(h.container('slow', 'app')).toMatchObject({ started: true, ready: true, restartCount: 0 });
  });
});

describe('container config', () => {
  it('materializes env, volumes (items, defaultMode, base64 secrets), limits and user', async () => {
    await setup();
    const configMaps = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { 'app.conf': 'x=1', other: 'y' } }];
    const secrets = [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { password: b64('hunter2') } }];
    const pod = makePod(
      'cfg',
      {
        volumes: [
          { name: 'conf', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o600 }], defaultMode: 0o640 } },
          { name: 'secret', secret: { secretName: 'sec', defaultMode: 0o400 } },
          { name: 'data', emptyDir: {} },
        ],
        containers: [
          {
            name: 'app',
            image: 'web:1',
            command: ['server', '--pass=$(PASS)'],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '$(A)-x' },
              { name: 'PASS', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
            ],
            envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }],
            resources: { limits: { memory: '64Mi', cpu: '500m' }, requests: { cpu: '250m' } },
            securityContext: { runAsUser: 1000, privileged: true },
            workingDir: '/work',
            volumeMounts: [
              { name: 'conf', mountPath: '/etc/app' },
              { name: 'secret', mountPath: '/secret' },
              { name: 'data', mountPath: '/data', subPath: 'sub' },
            ],
          },
        ],
      },
      { labels: { tier: 'front' } },
    );
    h.desire([pod], { configMaps, secrets });
    await h.advance(0);
    expect(h.container('cfg', 'app')?.state.running).toBeDefined();
    const spec = h.specs.find((s) => s.labels[LABELS.container] === 'app');
    const ip = h.status('cfg')?.podIP;
    expect(spec?.env).toEqual(['CFG_app.conf=x=1', 'CFG_other=y', 'A=1', 'B=1-x', 'PASS=hunter2', `POD_IP=${ip}`, 'TIER=front']);
    expect(spec?.command).toEqual(['server', '--pass=hunter2']);
    expect(spec).toMatchObject({ memoryBytes: 64 * 1024 * 1024, nanoCpus: 500_000_000, cpuShares: 256, user: '1000', privileged: true, workingDir: '/work' });
    const vols = join(h.dataDir, 'pods', 'uid-cfg', 'volumes');
    expect(spec?.mounts).toEqual([
      { source: join(vols, 'conf'), target: '/etc/app', readOnly: true },
      { source: join(vols, 'secret'), target: '/secret', readOnly: true },
      { source: join(vols, 'data', 'sub'), target: '/data', readOnly: false },
    ]);
    expect(readFileSync(join(vols, 'conf', 'conf', 'app.conf'), 'utf8')).toBe('x=1');
    expect(statSync(join(vols, 'conf', 'conf', 'app.conf')).mode & 0o777).toBe(0o600);
    expect(() => statSync(join(vols, 'conf', 'other'))).toThrow();
    expect(readFileSync(join(vols, 'secret', 'password'), 'utf8')).toBe('hunter2');
    expect(statSync(join(vols, 'secret', 'password')).mode & 0o777).toBe(0o400);
    // a ConfigMap change reaches the volume's files (not the env, as in Kubernetes)
    configMaps[0].data['app.conf'] = 'x=2';
    h.desire([pod], { configMaps, secrets });
    await h.advance(0);
    expect(readFileSync(join(vols, 'conf', 'conf', 'app.conf'), 'utf8')).toBe('x=2');
    expect(h.container('cfg', 'app')?.restartCount).toBe(0);
  });

  it('waits with CreateContainerConfigError for a missing ConfigMap key, and starts once it exists', async () => {
    await setup();
    const pod = makePod('needs', { containers: [{ name: 'app', image: 'web:1', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'late', key: 'x' } } }] }] });
    h.desire([pod]);
    await h.advance(0);
    expect(h.container('needs', 'app')?.state.waiting).toEqual({ reason: 'CreateContainerConfigError', message: 'configmap "late" not found' });
    h.desire([pod], { configMaps: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'default' }, data: { x: '1' } }] });
    await h.advance(0);
    expect(h.container('needs', 'app')?.state.running).toBeDefined();
  });

  it('holds a pod in ContainerCreating while a volume source is missing', async () => {
    await setup();
    h.desire([makePod('mnt', { volumes: [{ name: 'c', configMap: { name: 'absent' } }], containers: [{ name: 'app', image: 'web:1' }] })]);
    await h.advance(0);
    expect(h.container('mnt', 'app')?.state.waiting.reason).toBe('ContainerCreating');
    expect(h.events.find((e) => e.reason === 'FailedMount')?.message).toMatch(/configmap "absent" not found/);
    expect(h.specs).toHaveLength(0);
  });
});

describe('spec and sandbox changes', () => {
  it('recreates a container whose image changed, counting a restart', async () => {
    await setup();
    h.desire([makePod('upd', { containers: [{ name: 'app', image: 'web:1' }] })]);
    await h.advance(0);
    h.desire([makePod('upd', { containers: [{ name: 'app', image: 'web:2' }] })]);
    await h.advance(0);
    expect(h.container('upd', 'app')).toMatchObject({ image: 'web:2', restartCount: 1, state: { running: {} } });
    expect(h.events.some((e) => e.message === 'Container app definition changed, will be restarted')).toBe(true);
  });

  it('re-creates a dead sandbox and restarts the pod containers in it', async () => {
    await setup();
    h.desire([makePod('sbx', { containers: [{ name: 'app', image: 'web:1' }] })]);
    await h.advance(0);
    const infra = (await h.rt.list()).find((c) => c.labels[LABELS.role] === 'infra');
    h.rt.crash(infra?.id as string, 137);
    await h.advance(0);
    const infras = (await h.rt.list()).filter((c) => c.labels[LABELS.role] === 'infra');
    expect(infras.map((c) => [c.labels[LABELS.attempt], c.state.status])).toEqual([['1', 'running']]);
    expect(h.container('sbx', 'app')).toMatchObject({ restartCount: 1, state: { running: {} } });
    expect(h.status('sbx')?.podIP).toBeDefined();
  });
});
