import { describe, expect, it } from 'vitest';
import { NodeHeartbeats } from './heartbeats.js';

describe('NodeHeartbeats', () => {
  it('reports news only on first sight, after gone and after a silence', () => {
    const hb = new NodeHeartbeats(3_000);
    const changes: string[] = [];
    hb.onChange((n) => changes.push(n));
    expect(hb.seen('pi-1', 1_000)).toBe(true);
    expect(hb.seen('pi-1', 3_000)).toBe(false);
    expect(hb.seen('pi-1', 5_000)).toBe(false);
    expect(hb.lastSeen('pi-1')).toBe(5_000);
    expect(hb.seen('pi-1', 9_000)).toBe(true);
    hb.gone('pi-1', 'offline');
    hb.gone('pi-1', 'offline');
    expect(hb.heartbeat('pi-1')).toEqual({ lastSeen: 9_000, gone: expect.stringContaining('disconnected') });
    expect(hb.seen('pi-1', 9_500)).toBe(true);
    expect(hb.heartbeat('pi-1')).toEqual({ lastSeen: 9_500, gone: undefined });
    expect(changes).toEqual(['pi-1', 'pi-1', 'pi-1', 'pi-1']);
  });

  it('keeps the newest time when messages arrive out of order', () => {
    const hb = new NodeHeartbeats(3_000);
    hb.seen('pi-1', 5_000);
    hb.seen('pi-1', 4_000);
    expect(hb.lastSeen('pi-1')).toBe(5_000);
  });

  it('knows a node that shut down, and forgets on request', () => {
    const hb = new NodeHeartbeats(3_000);
    hb.gone('pi-2', 'shutdown');
    expect(hb.isGone('pi-2')).toBe(true);
    expect(hb.heartbeat('pi-2').gone).toBe('Node agent shut down.');
    hb.forget('pi-2');
    expect(hb.heartbeat('pi-2')).toEqual({ lastSeen: undefined, gone: undefined });
  });
});
