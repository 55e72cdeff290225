import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetworkMap, ServiceState } from '../shared/mqtt/payloads.js';
import { topics } from '../shared/mqtt/topics.js';
import { CLUSTER_FILE, ClusterView, type ClusterViewOptions } from './cluster-view.js';

const state = (name: string, clusterIP: string, namespace = 'default', ips: string[] = ['10.42.1.5']): ServiceState => ({
  v: 1,
  service: { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name, uid: `u-${name}` }, spec: { clusterIP, ports: [{ port: 80 }] } },
  // the server sends endpoints metadata without a namespace: the view takes the service's
  endpoints: ips.length ? { apiVersion: 'v1', kind: 'Endpoints', metadata: { name }, subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 8080 }] }] } : null,
});
const netMap = (nodes: NetworkMap['nodes'], clusterCIDR = '10.42.0.0/16'): NetworkMap => ({ v: 1, clusterCIDR, nodes });
const json = (x: unknown) => Buffer.from(JSON.stringify(x));
/** sendMap delivers a map as the server's snapshot. */
const sendMap = (v: ClusterView, m: NetworkMap, seq = 1) => v.onMessage(topics.networkSnapshot, json({ ...m, epoch: 'e1', seq }));
const EMPTY = Buffer.alloc(0);
const names = (v: ClusterView) => v.snapshot().services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort();

let dataDir: string;
let onChange: ReturnType<typeof vi.fn<() => void>>;
let warn: ReturnType<typeof vi.fn<(msg: string) => void>>;
let views: ClusterView[];

// view makes a ClusterView on the temp dir; saves are far off unless a test asks (flush).
const view = (o: Partial<ClusterViewOptions> = {}) => {
  const v = new ClusterView({ dataDir, onChange, warn, saveMs: 60_000, requestNetworkSnapshot: vi.fn(), ...o });
  views.push(v);
  return v;
};

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bramble-view-'));
  onChange = vi.fn<() => void>();
  warn = vi.fn<(msg: string) => void>();
  views = [];
});

afterEach(async () => {
  vi.useRealTimers();
  for (const v of views) {
    v.stop();
    await v.flush();
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('ClusterView messages', () => {
  it('adds and updates services', () => {
    const v = view();
    expect(v.onMessage(topics.service('default', 'web'), json(state('web', '10.43.0.20')))).toBe(true);
    expect(v.onMessage(topics.service('shop', 'db'), json(state('db', '10.43.0.30', 'shop')))).toBe(true);
    expect(names(v)).toEqual(['default/web', 'shop/db']);
    expect(onChange).toHaveBeenCalledTimes(2);

    v.onMessage(topics.service('default', 'web'), json(state('web', '10.43.0.21', 'default', ['10.42.1.5', '10.42.2.6'])));
    const snap = v.snapshot();
    expect(snap.services).toHaveLength(2);
    expect(snap.services.find((s) => s.metadata.name === 'web')?.spec.clusterIP).toBe('10.43.0.21');
    expect(snap.endpoints.find((e) => e.metadata.name === 'web')?.subsets?.[0].addresses).toHaveLength(2);
    expect(onChange).toHaveBeenCalledTimes(3);
    expect(warn).not.toHaveBeenCalled();
  });

  it('deletes a service on an empty payload, and ignores one for a service it does not know', () => {
    const v = view();
    v.onMessage(topics.service('default', 'web'), json(state('web', '10.43.0.20')));
    v.onMessage(topics.service('default', 'api'), json(state('api', '10.43.0.21')));
    onChange.mockClear();
    expect(v.onMessage(topics.service('default', 'web'), EMPTY)).toBe(true);
    expect(names(v)).toEqual(['default/api']);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(v.onMessage(topics.service('default', 'gone'), EMPTY)).toBe(true);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('takes the network from the snapshot, then the numbered changes; asks for the snapshot again after a gap', () => {
    const requestNetworkSnapshot = vi.fn();
    const v = view({ requestNetworkSnapshot });
    expect(v.snapshot().network).toBeUndefined();
    v.connected();
    expect(sendMap(v, netMap([{ name: 'n2', podCIDR: '10.42.1.0/24', addresses: ['192.168.1.12'] }, { name: 'n1', podCIDR: '10.42.0.0/24', addresses: ['192.168.1.11'] }]), 3)).toBe(true);
    expect(v.snapshot().network).toEqual(
      netMap([
        { name: 'n1', podCIDR: '10.42.0.0/24', addresses: ['192.168.1.11'] },
        { name: 'n2', podCIDR: '10.42.1.0/24', addresses: ['192.168.1.12'] },
      ]),
    );
    const change = (seq: number, changes: unknown[]) => json({ v: 1, epoch: 'e1', seq, changes });
    expect(v.onMessage(topics.networkChanges, change(4, [{ name: 'n2', deleted: true }, { name: 'n1', podCIDR: '10.42.0.0/24', addresses: ['192.168.1.99'] }]))).toBe(true);
    expect(v.snapshot().network).toEqual(netMap([{ name: 'n1', podCIDR: '10.42.0.0/24', addresses: ['192.168.1.99'] }]));
    expect(onChange).toHaveBeenCalledTimes(2);
    v.onMessage(topics.networkChanges, change(6, [{ name: 'n3', addresses: [] }]));
    expect(requestNetworkSnapshot).toHaveBeenCalledTimes(1);
    expect(v.onMessage(topics.networkSnapshot, EMPTY)).toBe(true); // a cleared snapshot: nothing to read
  });

  it('ignores malformed payloads with a warning, without throwing or changing anything', () => {
    const v = view();
    v.onMessage(topics.service('default', 'web'), json(state('web', '10.43.0.20')));
    sendMap(v, netMap([{ name: 'n1', addresses: [] }]));
    onChange.mockClear();
    const before = v.snapshot();
    const bad: [string, Buffer][] = [
      [topics.service('default', 'web'), Buffer.from('{not json')],
      [topics.service('default', 'web'), json({ ...state('web', '10.43.0.99'), v: 2 })],
      [topics.service('default', 'web'), json({ v: 1, service: { metadata: { name: 'web' } }, endpoints: null })],
      [topics.service('default', 'other'), json([1, 2, 3])],
      [topics.networkSnapshot, Buffer.from('nope')],
      [topics.networkSnapshot, json({ v: 1, clusterCIDR: '10.42.0.0/16', nodes: [] })], // no epoch and seq
      [topics.networkSnapshot, json({ v: 1, epoch: 'e1', seq: 2, clusterCIDR: 16, nodes: [] })],
      [topics.networkChanges, json({ v: 1, epoch: 'e1', seq: 2, changes: [{ name: 'n1', addresses: [7] }] })],
      [topics.networkChanges, json({ v: 1, epoch: 'e1', changes: [] })],
    ];
    for (const [topic, payload] of bad) expect(v.onMessage(topic, payload)).toBe(true);
    expect(warn).toHaveBeenCalledTimes(bad.length);
    expect(warn.mock.calls[0][0]).toContain(topics.service('default', 'web'));
    expect(warn.mock.calls.at(-1)?.[0]).toContain(topics.networkChanges);
    expect(v.snapshot()).toEqual(before);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('is not interested in other topics', () => {
    const v = view();
    expect(v.onMessage(topics.desired('n1'), json({ v: 1 }))).toBe(false);
    expect(v.onMessage(`${topics.service('default', 'web')}/extra`, json(state('web', '10.43.0.20')))).toBe(false);
    expect(v.onMessage(`${topics.networkChanges}/extra`, json({ v: 1, epoch: 'e1', seq: 1, changes: [] }))).toBe(false);
    expect(v.onMessage('bramble/v1/cluster/nodes', json(netMap([])))).toBe(false);
    expect(v.snapshot().services).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('gives each endpoints object the namespace of its service; services without endpoints have none', () => {
    const v = view();
    v.onMessage(topics.service('shop', 'web'), json(state('web', '10.43.0.20', 'shop')));
    v.onMessage(topics.service('shop', 'idle'), json(state('idle', '10.43.0.21', 'shop', [])));
    const snap = v.snapshot();
    expect(snap.services).toHaveLength(2);
    expect(snap.endpoints).toHaveLength(1);
    expect(snap.endpoints[0].metadata).toEqual({ name: 'web', namespace: 'shop' });
    expect(snap.endpoints[0].subsets?.[0].addresses).toEqual([{ ip: '10.42.1.5' }]);
  });
});

describe('ClusterView settling after a connect', () => {
  it('drops the services not re-sent within settleMs, keeps those re-sent, and drops nothing before', async () => {
    vi.useFakeTimers();
    const v = view({ settleMs: 100 });
    for (const n of ['a', 'b', 'c']) v.onMessage(topics.service('default', n), json(state(n, '10.43.0.2')));
    sendMap(v, netMap([{ name: 'n1', podCIDR: '10.42.0.0/24', addresses: [] }]));
    onChange.mockClear();

    v.connected();
    await vi.advanceTimersByTimeAsync(60);
    v.onMessage(topics.service('default', 'a'), json(state('a', '10.43.0.2')));
    await vi.advanceTimersByTimeAsync(60);
    v.onMessage(topics.service('default', 'c'), json(state('c', '10.43.0.3')));
    await vi.advanceTimersByTimeAsync(99); // each retained copy restarts the quiet time
    expect(names(v)).toEqual(['default/a', 'default/b', 'default/c']);
    expect(onChange).toHaveBeenCalledTimes(2);

    await vi.advanceTimersByTimeAsync(1);
    expect(names(v)).toEqual(['default/a', 'default/c']);
    expect(onChange).toHaveBeenCalledTimes(3);
    expect(v.snapshot().network?.nodes[0].name).toBe('n1'); // the network comes by snapshot, not settled like services

    // settled: later messages only add, nothing more is dropped
    v.onMessage(topics.service('default', 'd'), json(state('d', '10.43.0.4')));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(names(v)).toEqual(['default/a', 'default/c', 'default/d']);
  });

  it('drops every service when nothing arrives after a connect (the server has none)', async () => {
    vi.useFakeTimers();
    const v = view({ settleMs: 50 });
    v.onMessage(topics.service('default', 'a'), json(state('a', '10.43.0.2')));
    onChange.mockClear();
    v.connected();
    await vi.advanceTimersByTimeAsync(49);
    expect(names(v)).toEqual(['default/a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(names(v)).toEqual([]);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('starts over on a reconnect before the view settled', async () => {
    vi.useFakeTimers();
    const v = view({ settleMs: 100 });
    v.onMessage(topics.service('default', 'a'), json(state('a', '10.43.0.2')));
    v.onMessage(topics.service('default', 'b'), json(state('b', '10.43.0.3')));
    v.connected();
    v.onMessage(topics.service('default', 'a'), json(state('a', '10.43.0.2')));
    await vi.advanceTimersByTimeAsync(50);
    v.connected(); // the link dropped and came back: a must be heard again
    v.onMessage(topics.service('default', 'b'), json(state('b', '10.43.0.3')));
    await vi.advanceTimersByTimeAsync(100);
    expect(names(v)).toEqual(['default/b']);
  });

  it('does nothing after stop', async () => {
    vi.useFakeTimers();
    const v = view({ settleMs: 50 });
    v.onMessage(topics.service('default', 'a'), json(state('a', '10.43.0.2')));
    v.connected();
    v.stop();
    await vi.advanceTimersByTimeAsync(200);
    expect(names(v)).toEqual(['default/a']);
  });
});

describe('ClusterView on disk', () => {
  it('saves on flush and loads the same view back', async () => {
    const v = view();
    const map = netMap([{ name: 'n1', podCIDR: '10.42.0.0/24', addresses: ['192.168.1.11'] }]);
    v.onMessage(topics.service('shop', 'web'), json(state('web', '10.43.0.20', 'shop')));
    v.onMessage(topics.service('default', 'idle'), json(state('idle', '10.43.0.21', 'default', [])));
    sendMap(v, map);
    await v.flush();
    expect((await stat(join(dataDir, CLUSTER_FILE))).mode & 0o777).toBe(0o600);

    const loaded = view();
    expect(loaded.path).toBe(join(dataDir, CLUSTER_FILE));
    expect(await loaded.load()).toBe(true);
    expect(loaded.snapshot()).toEqual(v.snapshot());
    expect(loaded.snapshot().network).toEqual(map);
    expect(warn).not.toHaveBeenCalled();
  });

  it('saves by itself after saveMs', async () => {
    const v = view({ saveMs: 10 });
    v.onMessage(topics.service('default', 'web'), json(state('web', '10.43.0.20')));
    await vi.waitFor(async () => expect(JSON.parse(await readFile(v.path, 'utf8')).services).toHaveLength(1));
  });

  it('loads nothing from a missing file, quietly', async () => {
    const v = view();
    expect(await v.load()).toBe(false);
    expect(v.snapshot()).toEqual({ services: [], endpoints: [], network: undefined });
    expect(warn).not.toHaveBeenCalled();
  });

  it('loads nothing from a corrupt file, with a warning', async () => {
    await writeFile(join(dataDir, CLUSTER_FILE), '{"v":1,"services":[{"v":1,');
    const v = view();
    expect(await v.load()).toBe(false);
    expect(v.snapshot().services).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/^ignoring unreadable .*cluster\.json/);
  });

  it('skips saved entries of the wrong shape', async () => {
    await writeFile(join(dataDir, CLUSTER_FILE), JSON.stringify({ v: 1, services: [state('web', '10.43.0.20'), { v: 1, service: 'x' }], network: { v: 1 } }));
    const v = view();
    expect(await v.load()).toBe(true);
    expect(names(v)).toEqual(['default/web']);
    expect(v.snapshot().network).toBeUndefined();
  });
});
