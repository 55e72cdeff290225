// join: the join endpoint, node credentials and what a node's API token may do, through the
// hono app (app.request, no port).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findResource } from '../../shared/api/resources.js';
import { systemClock } from '../../shared/clock.js';
import { parseToken, tokenSecret } from '../../shared/join-token.js';
import { createApp } from '../api/app.js';
import { authorizationProblem, firstOf, staticTokens } from '../api/auth.js';
import { ObjectService } from '../objects/object-service.js';
import { LogStore } from '../store/log-store.js';
import { credentialsSecretName, NodeCredentials } from './credentials.js';
import { JOIN_REFUSED, type JoinResponse, joinHandler } from './join-handler.js';
import { ensureNodeToken } from './node-token.js';

const NS = findResource('', 'v1', 'namespaces')!;
const SECRETS = findResource('', 'v1', 'secrets')!;
const NODES = findResource('', 'v1', 'nodes')!;
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const HASH = 'cd'.repeat(32);

describe('joining', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let credentials: NodeCredentials;
  let app: ReturnType<typeof createApp>;
  let token: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-join-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    objects = new ObjectService(store, systemClock, {
      pods: { notReadyTolerationSeconds: 300 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    for (const name of ['default', 'kube-system']) await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    credentials = new NodeCredentials(objects);
    credentials.start();
    token = (await ensureNodeToken(dir, objects, HASH, systemClock)).token;
    app = createApp({
      ctx: { objects, clock: systemClock },
      auth: firstOf(staticTokens([{ token: 'admin-token', identity: { user: 'admin', groups: ['system:masters'] } }]), credentials),
      version: 'test',
      caCertPem: CA,
      join: joinHandler({ objects, credentials, clock: systemClock, logger: pino({ level: 'silent' }), caCertPem: CA, mqttUrl: (h) => `mqtts://${h}:8883` }),
    });
  });
  afterEach(async () => {
    credentials.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bare = () => {
    const p = parseToken(token)!;
    return `${p.id}.${p.secret}`;
  };
  const joinAs = (nodeName: string, bearer = bare()) =>
    app.request('https://pi-server:6443/bramble/v1/join', {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ nodeName }),
    });

  it('keeps the default token in DATA_DIR/node-token (0600) and reuses it', async () => {
    expect(token).toMatch(new RegExp(`^K10${HASH}::[a-z0-9]{6}\\.[a-z0-9]{16}$`));
    expect(readFileSync(join(dir, 'node-token'), 'utf8')).toBe(`${token}\n`);
    expect(statSync(join(dir, 'node-token')).mode & 0o777).toBe(0o600);
    const again = await ensureNodeToken(dir, objects, HASH, systemClock);
    expect(again).toMatchObject({ token, created: false });
    const secret = objects.find(SECRETS, 'kube-system', `bootstrap-token-${parseToken(token)!.id}`)!;
    expect(Buffer.from(secret.data.description, 'base64').toString()).toBe('default join token');
    expect(secret.data.expiration).toBeUndefined();
  });

  it('replaces a revoked default token', async () => {
    await objects.delete(SECRETS, 'kube-system', `bootstrap-token-${parseToken(token)!.id}`);
    const next = await ensureNodeToken(dir, objects, HASH, systemClock);
    expect(next.created).toBe(true);
    expect(next.token).not.toBe(token);
  });

  it('serves the CA without authentication', async () => {
    const res = await app.request('/cacerts');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(CA);
  });

  it('issues credentials that are stored hashed, and work for the API', async () => {
    const res = await joinAs('pi-1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as JoinResponse;
    expect(body).toMatchObject({ nodeName: 'pi-1', mqtt: { url: 'mqtts://pi-server:8883', username: 'pi-1' }, caCert: CA });
    const stored = JSON.stringify(objects.find(SECRETS, 'kube-system', credentialsSecretName('pi-1')));
    expect(stored).not.toContain(body.apiToken);
    expect(stored).not.toContain(body.mqtt.password);
    expect(stored).not.toContain(Buffer.from(body.mqtt.password).toString('base64'));
    expect(credentials.mqttPasswordOk('pi-1', body.mqtt.password)).toBe(true);
    expect(credentials.mqttPasswordOk('pi-2', body.mqtt.password)).toBe(false);

    await objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi-1' }, spec: {} });
    await objects.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'pi-2' }, spec: {} });
    const get = (path: string, method = 'GET') => app.request(path, { method, headers: { authorization: `Bearer ${body.apiToken}` } });
    expect((await get('/api/v1/nodes/pi-1')).status).toBe(200);
    for (const [path, method] of [
      ['/api/v1/nodes/pi-2', 'GET'],
      ['/api/v1/nodes', 'GET'],
      ['/api/v1/namespaces/kube-system/secrets', 'GET'],
      ['/api/v1/nodes/pi-1', 'DELETE'],
    ]) {
      const r = await get(path, method);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(await r.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    }
    expect((await get('/bramble/v1/nothing-yet')).status).toBe(404);
  });

  it('replaces the credentials of a node that joins again', async () => {
    const first = (await (await joinAs('pi-1')).json()) as JoinResponse;
    const second = (await (await joinAs('pi-1')).json()) as JoinResponse;
    expect(credentials.authenticate(first.apiToken)).toBeUndefined();
    expect(credentials.authenticate(second.apiToken)).toEqual({ user: 'system:node:pi-1', groups: ['system:nodes'] });
    expect(credentials.mqttPasswordOk('pi-1', first.mqtt.password)).toBe(false);
    await objects.delete(SECRETS, 'kube-system', credentialsSecretName('pi-1'));
    expect(credentials.authenticate(second.apiToken)).toBeUndefined();
  });

  it.each([
    ['no token', ''],
    ['a malformed token', 'nonsense'],
    ['an unknown token', 'zzzzzz.0123456789abcdef'],
    ['a wrong secret', 'WRONG'],
  ])('refuses %s with one message', async (_, bearer) => {
    const b = bearer === 'WRONG' ? `${parseToken(token)!.id}.ffffffffffffffff` : bearer;
    const res = await joinAs('pi-1', b);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: JOIN_REFUSED, code: 401 });
  });

  it('refuses an expired token and checks the node name', async () => {
    const t = { id: 'old123', secret: '0123456789abcdef' };
    await objects.create(SECRETS, 'kube-system', tokenSecret(t, 'old', Date.now() - 1_000));
    expect((await joinAs('pi-1', 'old123.0123456789abcdef')).status).toBe(401);
    const bad = await joinAs('Not_A_Name');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('invalid nodeName');
  });
});

describe('authorizationProblem', () => {
  const node = { user: 'system:node:pi-1', groups: ['system:nodes'] };
  it.each([
    [node, 'GET', '/api/v1/nodes/pi-1', true],
    [node, 'POST', '/bramble/v1/anything', true],
    [node, 'GET', '/api/v1/nodes/pi-10', false],
    [node, 'PUT', '/api/v1/nodes/pi-1', false],
    [node, 'GET', '/api/v1/pods', false],
    [{ user: 'admin', groups: ['system:masters'] }, 'DELETE', '/api/v1/nodes/pi-1', true],
  ])('%j %s %s → allowed %s', (identity, method, path, allowed) => {
    expect(authorizationProblem(identity, method, path) === undefined).toBe(allowed);
  });
});
