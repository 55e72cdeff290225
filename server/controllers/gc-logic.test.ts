import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { decideDependent, FOREGROUND, nodeOf, ORPHAN, OwnerGraph, type OwnerStatus, withoutFinalizer, withoutOwners } from './gc-logic.js';

const PODS = findResource('', 'v1', 'pods')!;
const RS = findResource('apps', 'v1', 'replicasets')!;
const NODES = findResource('', 'v1', 'nodes')!;

function obj(uid: string, owners: string[] = [], extra: Partial<KubeObject['metadata']> = {}, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: uid,
      namespace,
      uid,
      ownerReferences: owners.map((u) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: u, uid: u })),
      ...extra,
    },
  };
}

describe('OwnerGraph', () => {
  it('indexes dependents by owner uid and follows owner changes', () => {
    const g = new OwnerGraph();
    g.upsert(nodeOf(RS, obj('rs')));
    expect(g.upsert(nodeOf(PODS, obj('p1', ['rs']))).ownersChanged).toBe(true);
    expect(g.upsert(nodeOf(PODS, obj('p1', ['rs']))).ownersChanged).toBe(false);
    g.upsert(nodeOf(PODS, obj('p2', ['rs', 'rs'])));
    expect(g.dependentsOf('rs').map((n) => n.uid)).toEqual(['p1', 'p2']);
    expect(g.get('p2')!.owners).toEqual(['rs']);
    g.upsert(nodeOf(PODS, obj('p1', [])));
    expect(g.dependentsOf('rs').map((n) => n.uid)).toEqual(['p2']);
    g.remove('p2');
    expect(g.hasDependents('rs')).toBe(false);
  });

  it('classifies owners as live, waiting, removed or unknown', () => {
    const g = new OwnerGraph();
    g.upsert(nodeOf(RS, obj('live')));
    g.upsert(nodeOf(RS, obj('fg', [], { deletionTimestamp: 'x', finalizers: [FOREGROUND] })));
    g.upsert(nodeOf(RS, obj('orph', [], { deletionTimestamp: 'x', finalizers: [ORPHAN] })));
    g.upsert(nodeOf(RS, obj('gone')));
    g.upsert(nodeOf(RS, obj('elsewhere', [], {}, 'other')));
    g.upsert(nodeOf(NODES, { ...obj('cluster'), metadata: { name: 'n', uid: 'cluster' } }));
    const dep = nodeOf(PODS, obj('d', ['live', 'fg', 'orph', 'gone', 'never', 'elsewhere', 'cluster']));
    g.upsert(dep);
    g.remove('gone');
    const status = (u: string) => g.ownerStatus(dep, u);
    expect(['live', 'fg', 'orph', 'gone', 'never', 'elsewhere', 'cluster'].map(status)).toEqual([
      'live',
      'waiting',
      'live',
      'removed',
      'unknown',
      'unknown',
      'live',
    ]);
  });

  it('forgets a tombstone once nothing points at it', () => {
    const g = new OwnerGraph();
    g.upsert(nodeOf(RS, obj('rs')));
    const dep = nodeOf(PODS, obj('p', ['rs']));
    g.upsert(dep);
    g.remove('rs');
    expect(g.ownerStatus(dep, 'rs')).toBe('removed');
    g.remove('p');
    expect(g.ownerStatus(dep, 'rs')).toBe('unknown');
  });

  it('indexes 50,000 pods and finds one owner\'s dependents without scanning', () => {
    const g = new OwnerGraph();
    const t0 = performance.now();
    for (let r = 0; r < 500; r++) g.upsert(nodeOf(RS, obj(`rs${r}`)));
    for (let i = 0; i < 50_000; i++) g.upsert(nodeOf(PODS, obj(`p${i}`, [`rs${i % 500}`])));
    for (let i = 0; i < 50_000; i++) g.upsert(nodeOf(PODS, obj(`p${i}`, [`rs${i % 500}`])));
    const built = performance.now() - t0;
    expect(g.size).toBe(50_500);
    const t1 = performance.now();
    for (let r = 0; r < 500; r++) expect(g.dependentsOf(`rs${r}`)).toHaveLength(100);
    expect(performance.now() - t1).toBeLessThan(200);
    expect(built).toBeLessThan(3_000);
  });
});

describe('decideDependent', () => {
  const o = (...s: OwnerStatus[]) => s.map((status, i) => ({ uid: `o${i}`, status }));
  it.each([
    ['no owners', o(), undefined, { type: 'keep' }],
    ['a live owner', o('live'), undefined, { type: 'keep' }],
    ['the only owner removed', o('removed'), undefined, { type: 'delete', foreground: false }],
    ['one of two owners removed', o('removed', 'live'), undefined, { type: 'drop-refs', uids: ['o0'] }],
    ['both owners removed', o('removed', 'removed'), undefined, { type: 'delete', foreground: false }],
    ['the owner waits for its dependents', o('waiting'), undefined, { type: 'delete', foreground: true }],
    ['a waiting owner and a live one', o('waiting', 'live'), undefined, { type: 'drop-refs', uids: ['o0'] }],
    ['an unknown owner, just seen', o('unknown'), 1_000, { type: 'recheck', afterMs: 5_000 }],
    ['an unknown owner, seen 3s ago', o('unknown'), -2_000, { type: 'recheck', afterMs: 2_000 }],
    ['an unknown owner, after the grace', o('unknown'), -4_000, { type: 'delete', foreground: false }],
    ['an unknown owner beside a live one, after the grace', o('live', 'unknown'), -4_000, { type: 'drop-refs', uids: ['o1'] }],
  ])('%s', (_name, owners, since, want) => {
    expect(decideDependent(owners, 1_000, since, 5_000)).toEqual(want);
  });
});

describe('edits', () => {
  it('withoutOwners removes only the given references', () => {
    const o = obj('p', ['a', 'b']);
    expect(withoutOwners(structuredClone(o), ['c'])).toBeUndefined();
    expect(withoutOwners(structuredClone(o), ['a'])!.metadata.ownerReferences!.map((r) => r.uid)).toEqual(['b']);
    expect(withoutOwners(structuredClone(o), ['a', 'b'])!.metadata.ownerReferences).toBeUndefined();
  });

  it('withoutFinalizer only touches the same object while it is being deleted', () => {
    const o = obj('x', [], { deletionTimestamp: 'now', finalizers: [ORPHAN, 'other'] });
    expect(withoutFinalizer(structuredClone(o), 'x', ORPHAN)!.metadata.finalizers).toEqual(['other']);
    expect(withoutFinalizer(structuredClone(o), 'y', ORPHAN)).toBeUndefined();
    expect(withoutFinalizer(structuredClone(o), 'x', FOREGROUND)).toBeUndefined();
    expect(withoutFinalizer(obj('x', [], { finalizers: [ORPHAN] }), 'x', ORPHAN)).toBeUndefined();
  });
});
