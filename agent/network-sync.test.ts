import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NetworkChange, NetworkChanges, NetworkMapNode, NetworkSnapshot } from '../shared/mqtt/payloads.js';
import { NetworkSync } from './network-sync.js';

const n = (name: string, podCIDR = `10.42.${name.length}.0/24`): NetworkMapNode => ({ name, podCIDR, addresses: [`192.168.1.${name.length}`] });
const snap = (seq: number, nodes: NetworkMapNode[], epoch = 'e1'): NetworkSnapshot => ({ v: 1, epoch, seq, clusterCIDR: '10.42.0.0/16', nodes });
const ch = (seq: number, changes: NetworkChange[], epoch = 'e1'): NetworkChanges => ({ v: 1, epoch, seq, changes });
const names = (s: NetworkSync) => s.networkMap()?.nodes.map((x) => x.name);

function make() {
  const request = vi.fn();
  const onChange = vi.fn();
  const sync = new NetworkSync({ request, onChange, retryMs: 100 });
  return { sync, request, onChange };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('NetworkSync', () => {
  it('starts from the snapshot, then applies numbered changes; empty ones change nothing', () => {
    const { sync, request, onChange } = make();
    expect(sync.networkMap()).toBeUndefined();
    sync.connected();
    sync.onSnapshot(snap(4, [n('b'), n('a')]));
    expect(sync.networkMap()).toEqual({ v: 1, clusterCIDR: '10.42.0.0/16', nodes: [n('a'), n('b')] });
    sync.onChanges(ch(5, [n('c')]));
    sync.onChanges(ch(6, [{ name: 'a', deleted: true }, n('b', '10.42.9.0/24')]));
    expect(sync.networkMap()?.nodes).toEqual([n('b', '10.42.9.0/24'), n('c')]);
    sync.onChanges(ch(6, [n('zzz')])); // a duplicate
    sync.onChanges(ch(7, [])); // another node's change, cut away (the simulator)
    expect(names(sync)).toEqual(['b', 'c']);
    expect(onChange).toHaveBeenCalledTimes(3);
    expect(request).not.toHaveBeenCalled();
  });

  it('holds changes that come before the snapshot and applies those after it', () => {
    const { sync, request } = make();
    sync.connected();
    sync.onChanges(ch(3, [n('x')])); // already in the snapshot
    sync.onChanges(ch(4, [n('y')]));
    sync.onChanges(ch(5, [{ name: 'x', deleted: true }]));
    sync.onSnapshot(snap(3, [n('a'), n('x')]));
    expect(names(sync)).toEqual(['a', 'y']);
    sync.onChanges(ch(6, [n('z')]));
    expect(names(sync)).toEqual(['a', 'y', 'z']);
    expect(request).not.toHaveBeenCalled();
  });

  it('reads the snapshot again after a missed number or a new epoch, holding what comes meanwhile', () => {
    const { sync, request } = make();
    sync.connected();
    sync.onSnapshot(snap(1, [n('a')]));
    sync.onChanges(ch(3, [n('c')])); // 2 was lost
    expect(request).toHaveBeenCalledTimes(1);
    expect(names(sync)).toEqual(['a']);
    sync.onChanges(ch(4, [n('d')]));
    sync.onSnapshot(snap(3, [n('a'), n('b'), n('c')]));
    expect(names(sync)).toEqual(['a', 'b', 'c', 'd']);

    sync.onChanges(ch(1, [n('new')], 'e2')); // the server restarted
    expect(request).toHaveBeenCalledTimes(2);
    sync.onSnapshot(snap(1, [n('new')], 'e2'));
    expect(names(sync)).toEqual(['new']); // the snapshot is authoritative: the others are gone
    sync.onChanges(ch(2, [n('two')], 'e2'));
    expect(names(sync)).toEqual(['new', 'two']);
  });

  it('reads a snapshot older than the changes held again after retryMs, adopting it meanwhile', async () => {
    vi.useFakeTimers();
    const { sync, request } = make();
    sync.connected();
    sync.onChanges(ch(7, [n('g')]));
    sync.onSnapshot(snap(5, [n('a')])); // 6 is in neither yet: the server republishes soon
    expect(names(sync)).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(99);
    expect(request).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(request).toHaveBeenCalledTimes(1);
    sync.onSnapshot(snap(6, [n('a'), n('f')]));
    expect(names(sync)).toEqual(['a', 'f', 'g']);
    sync.onChanges(ch(8, [n('h')]));
    expect(names(sync)).toEqual(['a', 'f', 'g', 'h']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('keeps a loaded map until a snapshot replaces it, and starts over on every connect', () => {
    const { sync, request } = make();
    sync.load({ v: 1, clusterCIDR: '10.42.0.0/16', nodes: [n('old')] });
    expect(names(sync)).toEqual(['old']);
    sync.connected();
    sync.onChanges(ch(1, [n('a')])); // not synced yet: held, no request (the link reads the snapshot on connect)
    expect(names(sync)).toEqual(['old']);
    expect(request).not.toHaveBeenCalled();
    sync.onSnapshot(snap(1, [n('a')]));
    expect(names(sync)).toEqual(['a']);
    sync.connected();
    sync.onChanges(ch(2, [n('b')])); // held again until the next snapshot
    expect(names(sync)).toEqual(['a']);
  });
});
