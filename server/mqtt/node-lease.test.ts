import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findResource } from '../../shared/api/resources.js';
import { rfc3339Micro } from '../../shared/clock.js';
import { LEASE_NAMESPACE } from '../controllers/node-lifecycle.js';
import { ObjectService } from '../objects/object-service.js';
import { LogStore } from '../store/log-store.js';
import { NodeLeases, RENEW_EVERY_MS } from './node-lease.js';

const NS = findResource('', 'v1', 'namespaces')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

describe('NodeLeases', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let now: number;
  const renewTime = (n: string) => objects.find(LEASES, LEASE_NAMESPACE, n)?.spec?.renewTime;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-lease-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    now = Date.parse('2024-05-01T12:00:00Z');
    objects = new ObjectService(store, { now: () => now }, {
      pods: { notReadyTolerationSeconds: 5 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEASE_NAMESPACE } });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a missing Lease or news at once, and routine renewals of many nodes in one shared commit', async () => {
    const errors: unknown[] = [];
    const leases = new NodeLeases(objects, { batchMs: 50, onError: (e) => errors.push(e) });
    const nodes = ['pi-1', 'pi-2', 'pi-3', 'pi-4', 'pi-5'];
    for (const n of nodes) await leases.renew(n, now, true);
    expect(nodes.map(renewTime).every(Boolean)).toBe(true);
    const first = renewTime('pi-1');

    // Heartbeats before RENEW_EVERY_MS: nothing to write.
    now += RENEW_EVERY_MS - 1;
    for (const n of nodes) await leases.renew(n, now, false);
    await new Promise((r) => setTimeout(r, 80));
    expect(renewTime('pi-1')).toBe(first);

    // Due: queued, none written yet, then all in one commit.
    now += 1;
    const commits = store.commits;
    for (const n of nodes) await leases.renew(n, now, false);
    for (const n of nodes) await leases.renew(n, now + 500, false); // more heartbeats while queued
    expect(renewTime('pi-1')).toBe(first);
    await vi.waitFor(() => expect(nodes.map(renewTime).every((t) => t !== first)).toBe(true));
    expect(store.commits - commits).toBe(1);
    // renewTime is each node's latest heartbeat, not the time of the batch.
    expect(nodes.map(renewTime)).toEqual(nodes.map(() => rfc3339Micro(now + 500)));

    // A node back after being lost is written at once, not batched.
    now += 1_000;
    await leases.renew('pi-2', now, true);
    expect(renewTime('pi-2')).not.toBe(renewTime('pi-1'));
    await leases.close();
    expect(errors).toEqual([]);
  });

  it('drops queued renewals on close', async () => {
    const leases = new NodeLeases(objects, { batchMs: 30 });
    await leases.renew('pi-1', now, true);
    const first = renewTime('pi-1');
    await leases.renew('pi-1', now + RENEW_EVERY_MS, false);
    await leases.close();
    await new Promise((r) => setTimeout(r, 60));
    expect(renewTime('pi-1')).toBe(first);
  });
});
