import { describe, expect, it } from 'vitest';
import { DockerRuntime } from './runtime/docker.js';
import type { ContainerRuntime, RuntimeInfo } from './runtime/runtime.js';
import { describeDockerError, dockerErrorDetail, RuntimeMonitor } from './runtime-monitor.js';

const INFO: RuntimeInfo = { name: 'docker', version: '24.0.7', os: 'linux', architecture: 'aarch64', kernelVersion: '6.6', operatingSystem: 'Debian' };
const enoent = () => Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });

function logCapture() {
  const lines: string[] = [];
  return { lines, logger: { info: (_: object, m: string) => lines.push(`info ${m}`), error: (_: object, m: string) => lines.push(`error ${m}`) } };
}

describe('RuntimeMonitor', () => {
  it('says once that Docker is unreachable, keeps probing, and says once when it answers', async () => {
    const results: (RuntimeInfo | Error)[] = [enoent(), enoent(), enoent(), INFO, INFO];
    const runtime = { info: async () => {
      const r = results.shift() ?? INFO;
      if (r instanceof Error) throw r;
      return r;
    } } as unknown as ContainerRuntime;
    const { lines, logger } = logCapture();
    const m = new RuntimeMonitor({ runtime, dockerHost: 'unix:///var/run/docker.sock', logger, downRetryMs: 1, upCheckMs: 1 });
    const changes: boolean[] = [];
    m.onChange((s) => changes.push(s.ok));
    for (let i = 0; i < 5; i++) await m.probe();
    expect(lines).toEqual([
      'error cannot reach Docker at unix:///var/run/docker.sock: connect ENOENT — is the Docker engine running? (install: apt-get install docker.io; start: dockerd)',
      'info connected to docker 24.0.7 at unix:///var/run/docker.sock',
    ]);
    expect(changes).toEqual([false, true]);
    expect(m.status).toEqual({ ok: true, info: INFO });
  });

  it('words the real Docker client failing on a missing socket', async () => {
    const host = 'unix:///nonexistent/bramble-test/docker.sock';
    const err = await new DockerRuntime(host).info().catch((e) => e);
    expect(describeDockerError(host, dockerErrorDetail(err))).toBe(
      `cannot reach Docker at ${host}: connect ENOENT — is the Docker engine running? (install: apt-get install docker.io; start: dockerd)`,
    );
  });

  it.each([
    [Object.assign(new Error('x'), { code: 'EACCES' }), 'connect EACCES'],
    [new Error('wrapped', { cause: Object.assign(new Error('inner'), { code: 'ECONNREFUSED' }) }), 'connect ECONNREFUSED'],
    [new Error('(HTTP code 500) server error - boom\nmore'), '(HTTP code 500) server error - boom'],
  ])('dockerErrorDetail(%s)', (e, want) => {
    expect(dockerErrorDetail(e)).toBe(want);
  });

  it('hints at permissions for EACCES', () => {
    expect(describeDockerError('unix:///var/run/docker.sock', 'connect EACCES')).toMatch(/docker group/);
  });
});
