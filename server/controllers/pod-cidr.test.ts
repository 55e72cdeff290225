import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { ObjectService } from '../objects/object-service.js';
import { LogStore } from '../store/log-store.js';
import type { Controller, ControllerContext } from './context.js';
import { eventRecorder } from './events.js';
import { podCidrController } from './pod-cidr.js';
import { checkNodeMask } from './pod-cidr-logic.js';

const NS = findResource('', 'v1', 'namespaces')!;
const NODES = findResource('', 'v1', 'nodes')!;
const EVENTS = findResource('', 'v1', 'events')!;

const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });

describe('pod-cidr controller', () => {
  let dir: string;
  let store: LogStore;
  let objects: ObjectService;
  let controller: Controller;
  let warnings: string[];
  const clock = { now: () => Date.parse('2024-05-01T12:00:00Z') };
  const cidrOf = (name: string) => objects.find(NODES, '', name)?.spec?.podCIDR;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-podcidr-'));
    store = await LogStore.open({ url: join(dir, 'state.db'), compactIntervalMs: 0 });
    objects = new ObjectService(store, clock, {
      pods: { notReadyTolerationSeconds: 5 },
      services: { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] },
    });
    await objects.create(NS, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    warnings = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });
    const ctx: ControllerContext = {
      objects,
      clock,
      logger,
      // Room for two nodes: /25s of a /24.
      config: { nodeMonitorGracePeriod: 3_000, defaultNotReadyToleration: 5_000, clusterCidr: '10.42.0.0/24', nodeCidrMaskSize: 25 },
      events: eventRecorder(objects, clock),
    };
    controller = podCidrController(ctx);
    controller.start();
  });
  afterEach(async () => {
    controller?.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives ranges of the configured size; a node beyond them waits with one warning and one event, and gets the next range freed', async () => {
    for (const n of ['a', 'b', 'c']) await objects.create(NODES, '', node(n));
    await vi.waitFor(() => expect([cidrOf('a'), cidrOf('b')].sort()).toEqual(['10.42.0.0/25', '10.42.0.128/25']));
    await controller.idle?.();
    expect(cidrOf('c')).toBeUndefined();
    expect(warnings.filter((w) => w.startsWith('no pod CIDR left'))).toHaveLength(1);
    const events = () => objects.list(EVENTS).items.filter((e) => e.reason === 'CIDRNotAvailable');
    await vi.waitFor(() => expect(events()).toHaveLength(1));
    expect(events()[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Node', name: 'c' } });

    const freed = cidrOf('a');
    await objects.delete(NODES, '', 'a');
    await vi.waitFor(() => expect(cidrOf('c')).toBe(freed));
  });
});

describe('checkNodeMask', () => {
  it('takes prefix lengths from the cluster range down to /30 and words the rest', () => {
    expect(() => checkNodeMask('10.42.0.0/16', 24)).not.toThrow();
    expect(() => checkNodeMask('10.64.0.0/11', 24)).not.toThrow();
    expect(() => checkNodeMask('10.42.0.0/16', 12)).toThrow('--node-cidr-mask-size 12 does not fit --cluster-cidr 10.42.0.0/16: give a prefix length from 16 to 30');
    expect(() => checkNodeMask('10.42.0.0/16', 31)).toThrow(/from 16 to 30/);
    expect(() => checkNodeMask('10.42.0.0/16', 24.5)).toThrow(/does not fit/);
  });
});
