import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../shared/options.js';
import { AGENT_OPTIONS, agentConfig, detectNodeIp, parseNodeLabels } from './config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bramble-agent-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const resolve = (argv: string[], env: NodeJS.ProcessEnv = {}) => agentConfig(resolveOptions(AGENT_OPTIONS, argv, env).values);

describe('agent options', () => {
  it('has defaults, with a 1s heartbeat', () => {
    const cfg = resolve(['--node-ip', '10.0.0.5']);
    expect(cfg).toMatchObject({ dataDir: '/var/lib/bramble/agent', dockerHost: 'unix:///var/run/docker.sock', heartbeatInterval: 1_000, statusInterval: 10_000, nodeIp: '10.0.0.5' });
  });

  it('takes each setting from a flag, a BRAMBLE_ variable or the config file, in that order', async () => {
    const file = join(dir, 'agent.yaml');
    await writeFile(file, 'server: https://pi-0.local:6443\nnodeName: from-file\nheartbeat-interval: 3s\n');
    const cfg = resolve(['--config', file, '--node-name', 'from-flag'], { BRAMBLE_NODE_NAME: 'from-env', BRAMBLE_DOCKER_HOST: 'tcp://10.0.0.9:2375' });
    expect(cfg).toMatchObject({ server: 'https://pi-0.local:6443', nodeName: 'from-flag', dockerHost: 'tcp://10.0.0.9:2375', heartbeatInterval: 3_000 });
  });

  it('reads the token from a file', async () => {
    const file = join(dir, 'token');
    await writeFile(file, 'abcdef.0123456789abcdef\n');
    expect(resolve(['--token-file', file]).token).toBe('abcdef.0123456789abcdef');
  });

  it.each([
    [['--server', 'http://pi-0:6443'], /must be an https:\/\/ URL/],
    [['--server', 'pi-0:6443:x'], /is not a URL|must be an https/],
    [['--node-name', 'Pi_1'], /not a valid node name/],
    [['--node-label', 'bad key=x'], /not a valid label/],
    [['--heartbeat-interval', '0s'], /must be positive/],
    [['--token-file', '/nonexistent/bramble-token'], /cannot read --token-file/],
  ])('refuses %j', (argv, err) => {
    expect(() => resolve(argv)).toThrow(err);
  });

  it('parses node labels', () => {
    expect(parseNodeLabels(['zone=attic', 'bramble.io/ssd=true', 'edge'])).toEqual({ zone: 'attic', 'bramble.io/ssd': 'true', edge: '' });
  });
});

describe('detectNodeIp', () => {
  const addr = (address: string, internal = false) => ({ address, family: 'IPv4' as const, internal, netmask: '255.255.255.0', mac: '', cidr: null });
  it('skips loopback and container bridges', () => {
    expect(detectNodeIp({ lo: [addr('127.0.0.1', true)], docker0: [addr('172.17.0.1')], 'br-1a2b': [addr('172.18.0.1')], eth0: [addr('192.168.1.21')] })).toBe('192.168.1.21');
    expect(detectNodeIp({ lo: [addr('127.0.0.1', true)] })).toBeUndefined();
  });
});
