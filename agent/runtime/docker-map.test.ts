import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { engineMessage, fromInspect, fromListEntry, mapStatus, splitImageRef, toCreateOptions } from './docker-map.js';
import type { ContainerSpec } from './runtime.js';
import { specProblems } from './spec-rules.js';

const base: ContainerSpec = { name: 'p-web', image: 'nginx:1', labels: { a: 'b' }, network: 'bridge' };

describe('toCreateOptions', () => {
  it.each([
    ['neither: image ENTRYPOINT and CMD', {}, undefined, undefined],
    ['args only: keep ENTRYPOINT, replace CMD', { args: ['-g', 'x'] }, undefined, ['-g', 'x']],
    ['command only: replace ENTRYPOINT, drop CMD', { command: ['/bin/app'] }, ['/bin/app'], []],
    ['both', { command: ['/bin/app'], args: ['--v'] }, ['/bin/app'], ['--v']],
  ])('%s', (_what, over, entrypoint, cmd) => {
    const o = toCreateOptions({ ...base, ...over });
    expect(o.Entrypoint).toEqual(entrypoint);
    expect(o.Cmd).toEqual(cmd);
  });

  it('maps an infra container: fixed IP, ports, DNS, hostname, init, limits', () => {
    const o = toCreateOptions({
      ...base,
      network: 'pods',
      ipAddress: '10.244.1.5',
      hostPorts: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
      dnsServers: ['10.96.0.10'],
      dnsSearch: ['default.svc.cluster.local'],
      dnsOptions: ['ndots:5'],
      hostname: 'web-0',
      init: true,
      memoryBytes: 64 << 20,
      nanoCpus: 500_000_000,
      cpuShares: 512,
      mounts: [
        { source: '/var/lib/bramble/v/a', target: '/data' },
        { source: '/etc/cfg', target: '/cfg', readOnly: true },
      ],
      env: ['A=1'],
      workingDir: '/app',
      user: '1000:1000',
      privileged: true,
    });
    expect(o).toEqual({
      name: 'p-web',
      Image: 'nginx:1',
      Labels: { a: 'b' },
      Env: ['A=1'],
      WorkingDir: '/app',
      User: '1000:1000',
      Hostname: 'web-0',
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        NetworkMode: 'pods',
        Binds: ['/var/lib/bramble/v/a:/data', '/etc/cfg:/cfg:ro'],
        Memory: 64 << 20,
        MemorySwap: 64 << 20,
        NanoCpus: 500_000_000,
        CpuShares: 512,
        Privileged: true,
        Init: true,
        RestartPolicy: { Name: 'no' },
        Dns: ['10.96.0.10'],
        DnsSearch: ['default.svc.cluster.local'],
        DnsOptions: ['ndots:5'],
        PortBindings: { '80/tcp': [{ HostPort: '8080' }] },
      },
      NetworkingConfig: { EndpointsConfig: { pods: { IPAMConfig: { IPv4Address: '10.244.1.5' } } } },
    });
  });

  it('refuses namespace-level settings on a container that joins another', () => {
    expect(specProblems({ ...base, network: 'container:abc', dnsServers: ['1.1.1.1'], hostname: 'x' })).toEqual([
      'hostname conflicts with network mode container:abc (set it on the infra container)',
      'dnsServers conflicts with network mode container:abc (set it on the infra container)',
    ]);
    expect(toCreateOptions({ ...base, network: 'container:abc' }).HostConfig?.NetworkMode).toBe('container:abc');
  });
});

describe('from Docker', () => {
  it.each([
    ['created', 'created'],
    ['running', 'running'],
    ['paused', 'running'],
    ['restarting', 'running'],
    ['exited', 'exited'],
    ['dead', 'exited'],
    ['what', 'unknown'],
  ])('maps state %s to %s', (docker, ours) => expect(mapStatus(docker)).toBe(ours));

  it('maps an inspect body, dropping zero times and empty errors', () => {
    const info = fromInspect({
      Id: 'abc',
      Name: '/p-web',
      Image: 'sha256:1',
      Config: { Image: 'nginx:1', Labels: { a: 'b' } },
      State: { Status: 'exited', StartedAt: '2025-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z', ExitCode: 137, OOMKilled: true, Error: '' },
      NetworkSettings: { IPAddress: '', Networks: { pods: { IPAddress: '10.244.1.5' } } },
      HostConfig: { NetworkMode: 'pods' },
    } as unknown as Dockerode.ContainerInspectInfo);
    expect(info).toEqual({
      id: 'abc',
      name: 'p-web',
      image: 'nginx:1',
      imageId: 'sha256:1',
      labels: { a: 'b' },
      state: { status: 'exited', startedAt: '2025-01-01T00:00:00Z', exitCode: 137, oomKilled: true },
      ip: '10.244.1.5',
    });
  });

  it('reads the exit code from a list entry', () => {
    const c = fromListEntry({
      Id: 'abc',
      Names: ['/p-web'],
      Image: 'nginx:1',
      ImageID: 'sha256:1',
      Labels: {},
      State: 'exited',
      Status: 'Exited (2) 3 seconds ago',
      NetworkSettings: { Networks: {} },
    } as unknown as Dockerode.ContainerInfo);
    expect(c.state).toEqual({ status: 'exited', exitCode: 2 });
    expect(c.ip).toBeUndefined();
  });

  it.each([
    ['busybox', 'busybox', 'latest'],
    ['busybox:1.36', 'busybox', '1.36'],
    ['registry:5000/app', 'registry:5000/app', 'latest'],
    ['registry:5000/app:2', 'registry:5000/app', '2'],
    ['app@sha256:abc', 'app', 'sha256:abc'],
  ])('splits %s', (ref, repository, tag) => expect(splitImageRef(ref)).toEqual({ repository, tag }));

  it("keeps the engine's words from a docker-modem error", () => {
    const err = Object.assign(new Error('(HTTP code 404) unexpected - pull access denied for x '), {
      statusCode: 404,
      json: { message: 'pull access denied for x, repository does not exist' },
    });
    expect(engineMessage(err)).toBe('pull access denied for x, repository does not exist');
    expect(engineMessage(new Error('(HTTP code 500) server error - boom '))).toBe('boom');
    expect(engineMessage(new Error('connect ENOENT /var/run/docker.sock'))).toBe('connect ENOENT /var/run/docker.sock');
  });
});
