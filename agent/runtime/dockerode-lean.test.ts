import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { dockerOptions, loadDockerode } from './dockerode-lean.js';

describe('dockerOptions', () => {
  it.each([
    [undefined, { socketPath: '/var/run/docker.sock' }],
    ['unix:///run/lab/docker.sock', { socketPath: '/run/lab/docker.sock' }],
    ['/run/lab/docker.sock', { socketPath: '/run/lab/docker.sock' }],
    ['tcp://10.0.0.2:2375', { protocol: 'http', host: '10.0.0.2', port: 2375 }],
    ['tcp://pi.local', { protocol: 'http', host: 'pi.local', port: 2375 }],
    ['https://pi.local:2376', { protocol: 'https', host: 'pi.local', port: 2376 }],
  ])('%s', (host, options) => expect(dockerOptions(host)).toEqual(options));

  it('refuses ssh:// hosts, which the lean load leaves out', () => {
    expect(() => dockerOptions('ssh://pi@pi.local')).toThrow(/unsupported Docker host/);
  });
});

describe('loadDockerode', () => {
  it('loads dockerode without gRPC, protobufjs or ssh2', () => {
    const Docker = loadDockerode();
    expect(new Docker({ socketPath: '/nonexistent' }).modem).toBeDefined();
    const modules = Object.keys(createRequire(import.meta.url).cache);
    expect(modules.some((m) => m.includes('/dockerode/lib/docker.js'))).toBe(true);
    expect(modules.filter((m) => /@grpc|protobufjs|ssh2/.test(m))).toEqual([]);
  });
});
