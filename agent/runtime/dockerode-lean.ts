// dockerode-lean: loads dockerode without the modules it requires at load time but the agent never
// uses: dockerode/lib/session.js pulls in @grpc/grpc-js and @grpc/proto-loader (BuildKit
// sessions) and docker-modem/lib/ssh.js pulls in ssh2 (ssh:// hosts); protobufjs is only loaded
// lazily by BuildKit builds. Measured here: plain require +22 MB RSS, this way +11 MB.
//
// It works by placing stub modules in the CommonJS cache under those two files' resolved paths
// before the first require of dockerode. A bundler does not see this: when bundling the agent,
// alias `@grpc/grpc-js`, `@grpc/proto-loader`, `protobufjs` and `ssh2` to an empty module.
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import type Dockerode from 'dockerode';

type DockerodeClass = typeof Dockerode;

let loaded: DockerodeClass | undefined;

function unavailable(what: string) {
  return () => {
    throw new Error(`${what} is not available in the Bramble agent (left out to save memory)`);
  };
}

function stub(require: NodeJS.Require, file: string, exports: unknown): void {
  if (require.cache[file]) return;
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = exports;
  require.cache[file] = m;
}

/**
 * provideDockerode hands in a dockerode that is already loaded — the bundled agent (agent/bin.ts)
 * imports it statically so esbuild can bundle it, with the unused modules replaced there.
 */
export function provideDockerode(d: DockerodeClass): void {
  loaded = d;
}

/** loadDockerode returns the dockerode constructor, loading it lean on first use. */
export function loadDockerode(): DockerodeClass {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const dockerodeMain = require.resolve('dockerode');
  const modemMain = createRequire(dockerodeMain).resolve('docker-modem');
  stub(require, path.join(path.dirname(dockerodeMain), 'session.js'), unavailable('BuildKit sessions'));
  stub(require, path.join(path.dirname(modemMain), 'ssh.js'), unavailable('ssh:// Docker hosts'));
  loaded = require('dockerode') as DockerodeClass;
  return loaded;
}

/**
 * dockerOptions turns a DOCKER_HOST-style value into dockerode options: unix:///path, a bare
 * socket path, tcp://host:port (plain HTTP) or https://host:port. Empty means the default socket.
 */
export function dockerOptions(host: string | undefined): Dockerode.DockerOptions {
  if (!host) return { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('/')) return { socketPath: host };
  const url = new URL(host);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`unsupported Docker host ${host}: use unix:///path/to/docker.sock or tcp://host:port`);
  }
  return { protocol, host: url.hostname, port: Number(url.port || (protocol === 'https' ? 2376 : 2375)) };
}

/** connectDocker opens a client for a DOCKER_HOST-style value. */
export function connectDocker(host: string | undefined): Dockerode {
  const Docker = loadDockerode();
  return new Docker(dockerOptions(host));
}
