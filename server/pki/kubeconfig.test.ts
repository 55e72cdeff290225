import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:https';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensurePki } from './ca.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ensureAdminToken } from './tokens.js';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bramble-kubeconfig-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeKubeconfig', () => {
  it('writes a 0600 kubeconfig with inline CA, token and a current context', async () => {
    const path = join(dir, 'nested', 'kubeconfig.yaml');
    await writeKubeconfig(path, { server: 'https://127.0.0.1:6443', caPem: CA, token: 's3cret' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const cfg = parse(await readFile(path, 'utf8'));
    expect(cfg).toMatchObject({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'bramble',
      clusters: [{ name: 'bramble', cluster: { server: 'https://127.0.0.1:6443' } }],
      users: [{ name: 'admin', user: { token: 's3cret' } }],
      contexts: [{ name: 'bramble', context: { cluster: 'bramble', user: 'admin' } }],
    });
    expect(Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(CA);
  });

  it.skipIf(!existsSync(KUBECTL))('is accepted by kubectl config view', async () => {
    const path = join(dir, 'kubeconfig');
    await writeKubeconfig(path, { server: 'https://pi.lan:6443', caPem: CA, token: 'tok', clusterName: 'farm', user: 'root' });
    const { stdout } = await promisify(execFile)(KUBECTL, ['--kubeconfig', path, 'config', 'view', '--raw', '-o', 'json']);
    const view = JSON.parse(stdout);
    expect(view['current-context']).toBe('farm');
    expect(view.clusters[0].cluster.server).toBe('https://pi.lan:6443');
    expect(view.users[0]).toEqual({ name: 'root', user: { token: 'tok' } });
  });

  it.skipIf(!existsSync(KUBECTL))('lets kubectl reach an HTTPS server with the generated PKI and token', async () => {
    const pki = await ensurePki(dir, {});
    const token = await ensureAdminToken(dir);
    let auth: string | undefined;
    const server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
      auth = req.headers.authorization;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const path = join(dir, 'kubeconfig');
      await writeKubeconfig(path, { server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, token });
      const { stdout } = await promisify(execFile)(KUBECTL, ['--kubeconfig', path, 'get', '--raw', '/version']);
      expect(JSON.parse(stdout).gitVersion).toBe('v1.32.0');
      expect(auth).toBe(`Bearer ${token}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
