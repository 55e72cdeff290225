import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// Test code only: the agent never imports server/, but a real CA makes a realistic server here.
import { ensurePki, type Pki } from '../server/pki/ca.js';
import { caDerHash, ensureJoined, FILES, JoinError, parseToken } from './join.js';

const HASH = 'ab'.repeat(32);

describe('parseToken', () => {
  it.each([
    [`K10${HASH}::abcdef.0123456789abcdef`, { caHash: HASH, id: 'abcdef', secret: '0123456789abcdef' }],
    [`K10${HASH.toUpperCase()}::abcdef.0123456789abcdef`, { caHash: HASH, id: 'abcdef', secret: '0123456789abcdef' }],
    ['abcdef.0123456789abcdef', { caHash: undefined, id: 'abcdef', secret: '0123456789abcdef' }],
    ['  abcdef.0123456789abcdef\n', { caHash: undefined, id: 'abcdef', secret: '0123456789abcdef' }],
  ])('reads %s', (token, want) => {
    expect(parseToken(token)).toEqual(want);
  });

  it.each([
    ['empty', ''],
    ['short hash', `K10${HASH.slice(2)}::abcdef.0123456789abcdef`],
    ['no separator', `K10${HASH}abcdef.0123456789abcdef`],
    ['short secret', `K10${HASH}::abcdef.0123`],
    ['uppercase id', 'ABCDEF.0123456789abcdef'],
    ['k3s server password', `K10${HASH}::server:0123456789abcdef`],
  ])('refuses %s without echoing the secret', (_, token) => {
    let err: unknown;
    try {
      parseToken(token);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JoinError);
    expect((err as Error).message).toMatch(/malformed/);
    expect((err as Error).message).not.toContain('0123456789abcdef');
  });
});

interface FakeServer {
  url: string;
  joins: { auth?: string; body: string }[];
  answer: { status: number; body: unknown };
  server: Server;
}

async function startFakeServer(pki: Pki, servedCa: string): Promise<FakeServer> {
  const fake: FakeServer = { url: '', joins: [], answer: { status: 200, body: {} }, server: undefined as unknown as Server };
  fake.server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/cacerts') {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(servedCa);
      } else if (req.method === 'POST' && req.url === '/bramble/v1/join') {
        fake.joins.push({ auth: req.headers.authorization, body });
        res.writeHead(fake.answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(fake.answer.body));
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `https://127.0.0.1:${(fake.server.address() as { port: number }).port}`;
  return fake;
}

describe('ensureJoined', () => {
  let pkiDir: string;
  let otherDir: string;
  let dataDir: string;
  let pki: Pki;
  let other: Pki;
  let fake: FakeServer;
  let token: string;
  const answer = {
    nodeName: 'pi-1',
    apiToken: 'api-secret-token',
    mqtt: { url: 'mqtts://127.0.0.1:8883', username: 'pi-1', password: 'mqtt-secret-password' },
    caCert: '',
  };

  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'bramble-join-pki-'));
    otherDir = await mkdtemp(join(tmpdir(), 'bramble-join-other-'));
    pki = await ensurePki(pkiDir, {});
    other = await ensurePki(otherDir, {});
    fake = await startFakeServer(pki, pki.caCertPem);
    answer.caCert = pki.caCertPem;
    token = `K10${pki.caHash}::abcdef.0123456789abcdef`;
  });
  afterAll(async () => {
    await new Promise((resolve) => fake.server.close(resolve));
    await rm(pkiDir, { recursive: true, force: true });
    await rm(otherDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'bramble-join-data-')), 'agent');
    fake.joins.length = 0;
    fake.answer = { status: 200, body: answer };
  });

  it('hashes the CA the way the server does', () => {
    expect(caDerHash(pki.caCertPem)).toBe(pki.caHash);
  });

  it('joins: checks the CA, sends the secret, saves private files', async () => {
    const joined = await ensureJoined({ server: fake.url, token, nodeName: 'pi-1', dataDir });
    expect(joined.joinedNow).toBe(true);
    expect(joined.credentials).toEqual({ server: fake.url, nodeName: 'pi-1', apiToken: answer.apiToken, mqtt: answer.mqtt });
    expect(fake.joins).toEqual([{ auth: 'Bearer abcdef.0123456789abcdef', body: JSON.stringify({ nodeName: 'pi-1' }) }]);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, FILES.credentials))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dataDir, FILES.ca), 'utf8')).toBe(pki.caCertPem);
  });

  it('reuses saved credentials on restart without a token or a server', async () => {
    await ensureJoined({ server: fake.url, token, nodeName: 'pi-1', dataDir });
    const again = await ensureJoined({ server: '', token: '', nodeName: 'pi-1', dataDir });
    expect(again.joinedNow).toBe(false);
    expect(again.credentials.mqtt.password).toBe(answer.mqtt.password);
    expect(again.caCert).toBe(pki.caCertPem);
    expect(fake.joins).toHaveLength(1);
  });

  it('refuses to reuse credentials of another node name without a token', async () => {
    await ensureJoined({ server: fake.url, token, nodeName: 'pi-1', dataDir });
    await expect(ensureJoined({ server: fake.url, token: '', nodeName: 'pi-2', dataDir })).rejects.toThrow(/belongs to node "pi-1", not "pi-2"/);
  });

  it('asks for a token when the node never joined', async () => {
    await expect(ensureJoined({ server: fake.url, token: '', nodeName: 'pi-1', dataDir })).rejects.toThrow(/has not joined a cluster yet/);
  });

  it('refuses a server whose CA does not match the token, before sending the secret', async () => {
    const bad = `K10${other.caHash}::abcdef.0123456789abcdef`;
    const err = await ensureJoined({ server: fake.url, token: bad, nodeName: 'pi-1', dataDir }).catch((e) => e);
    expect(err).toBeInstanceOf(JoinError);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(
      `the server at ${fake.url} presented a CA that does not match the join token (expected sha256 ${other.caHash}, got ${pki.caHash}): refusing to send credentials`,
    );
    expect(err.message).not.toContain('0123456789abcdef');
    expect(fake.joins).toHaveLength(0);
  });

  it('refuses a server that serves a matching CA but holds a certificate from another CA', async () => {
    const impostor = await startFakeServer(other, pki.caCertPem);
    try {
      const err = await ensureJoined({ server: impostor.url, token, nodeName: 'pi-1', dataDir }).catch((e) => e);
      expect(err.message).toMatch(/failed TLS verification with the cluster CA/);
      expect(impostor.joins).toHaveLength(0);
    } finally {
      await new Promise((resolve) => impostor.server.close(resolve));
    }
  });

  it("words a refusal with the server's Status message", async () => {
    fake.answer = { status: 401, body: { kind: 'Status', status: 'Failure', message: 'join token is invalid, expired or revoked', reason: 'Unauthorized', code: 401 } };
    const err = await ensureJoined({ server: fake.url, token, nodeName: 'pi-1', dataDir }).catch((e) => e);
    expect(err.message).toBe('join refused: join token is invalid, expired or revoked');
    expect(err.retryable).toBe(false);
    await expect(stat(join(dataDir, FILES.credentials))).rejects.toThrow(/ENOENT/);
  });

  it('marks an unreachable server as worth retrying', async () => {
    const err = await ensureJoined({ server: 'https://127.0.0.1:1', token, nodeName: 'pi-1', dataDir }).catch((e) => e);
    expect(err.message).toMatch(/^cannot reach the server at https:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(err.retryable).toBe(true);
  });

  it('accepts a bare <id>.<secret> token only with a CA already trusted in the data dir', async () => {
    const bare = 'abcdef.0123456789abcdef';
    await expect(ensureJoined({ server: fake.url, token: bare, nodeName: 'pi-1', dataDir })).rejects.toThrow(/needs a trusted CA/);
    await ensureJoined({ server: fake.url, token, nodeName: 'pi-1', dataDir });
    await rm(join(dataDir, FILES.credentials));
    const joined = await ensureJoined({ server: fake.url, token: bare, nodeName: 'pi-1', dataDir });
    expect(joined.joinedNow).toBe(true);
    expect(fake.joins).toHaveLength(2);
  });

  it('reports a broken credentials file in one line', async () => {
    await ensureJoined({ server: fake.url, token, nodeName: 'pi-1', dataDir });
    await writeFile(join(dataDir, FILES.credentials), '{not json');
    await expect(ensureJoined({ server: '', token: '', nodeName: 'pi-1', dataDir })).rejects.toThrow(/is not valid JSON; delete it/);
  });
});
