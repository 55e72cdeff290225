import { describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { normalizeArch, platformProblem, pullAuth, pullPolicy, registryOf } from './images.js';
import { indexLookup } from './sources.js';

describe('pullPolicy', () => {
  it.each([
    ['nginx', undefined, 'Always'],
    ['nginx:latest', undefined, 'Always'],
    ['nginx:1.25', undefined, 'IfNotPresent'],
    ['localhost:5000/app', undefined, 'Always'],
    ['localhost:5000/app:2', undefined, 'IfNotPresent'],
    ['nginx@sha256:abc', undefined, 'IfNotPresent'],
    ['nginx:1.25', 'Never', 'Never'],
  ] as const)('%s (%s) → %s', (image, given, policy) => expect(pullPolicy({ image, imagePullPolicy: given })).toBe(policy));
});

describe('registryOf', () => {
  it.each([
    ['nginx', 'docker.io'],
    ['library/nginx:1', 'docker.io'],
    ['docker.io/library/nginx', 'docker.io'],
    ['ghcr.io/acme/app:1', 'ghcr.io'],
    ['localhost:5000/app', 'localhost:5000'],
    ['registry.local:5000/app', 'registry.local:5000'],
  ])('%s → %s', (ref, registry) => expect(registryOf(ref)).toBe(registry));
});

describe('platformProblem', () => {
  const pi = { os: 'linux', arch: 'aarch64' };
  it.each([
    [{ architecture: 'arm64' }, undefined],
    [{ architecture: 'arm', variant: 'v7' }, undefined], // 32-bit ARM runs on a 64-bit Pi
    [{}, undefined],
    [{ architecture: 'amd64', os: 'linux' }, 'image app:1 is built for linux/amd64, this node is linux/arm64'],
    [{ architecture: 'arm64', os: 'windows' }, 'image app:1 is built for windows/arm64, this node is linux/arm64'],
  ])('%j', (image, problem) => expect(platformProblem('app:1', { id: 'x', ...image }, pi)).toBe(problem));

  it('refuses 64-bit images on a 32-bit node', () => {
    expect(platformProblem('app:1', { id: 'x', architecture: 'arm64' }, { os: 'linux', arch: 'armv7l' })).toBe('image app:1 is built for linux/arm64, this node is linux/arm');
  });

  it.each([
    ['x86_64', 'amd64'],
    ['aarch64', 'arm64'],
    ['armv7l', 'arm'],
    ['arm64', 'arm64'],
  ])('normalizeArch(%s) = %s', (a, b) => expect(normalizeArch(a)).toBe(b));
});

describe('pullAuth', () => {
  const cfg = (auths: object) => Buffer.from(JSON.stringify({ auths })).toString('base64');
  const secrets = [
    { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'hub', namespace: 'ns' }, data: { '.dockerconfigjson': cfg({ 'https://index.docker.io/v1/': { username: 'u', password: 'p' } }) } },
    { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'gh', namespace: 'ns' }, data: { '.dockerconfigjson': cfg({ 'ghcr.io': { auth: Buffer.from('bot:tok:en').toString('base64') } }) } },
  ];
  const lookup = indexLookup([], secrets);
  const pod = { metadata: { namespace: 'ns' }, spec: { containers: [], imagePullSecrets: [{ name: 'missing' }, { name: 'hub' }, { name: 'gh' }] } } as unknown as Pod;

  it('finds the credentials for the image registry', () => {
    expect(pullAuth(pod, 'nginx:1', lookup)).toEqual({ serveraddress: 'https://index.docker.io/v1/', username: 'u', password: 'p' });
    expect(pullAuth(pod, 'ghcr.io/acme/app:1', lookup)).toEqual({ serveraddress: 'ghcr.io', username: 'bot', password: 'tok:en' });
    expect(pullAuth(pod, 'quay.io/x/y:1', lookup)).toBeUndefined();
  });
});
