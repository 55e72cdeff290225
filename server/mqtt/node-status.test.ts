import { describe, expect, it } from 'vitest';
import type { NodeReport } from '../../shared/mqtt/payloads.js';
import { nextNodeStatus } from './node-status.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const report = (ready: 'True' | 'False', cpu = '4'): NodeReport => ({
  v: 1,
  capacity: { cpu, memory: '8Gi', pods: '110' },
  allocatable: { cpu, memory: '8Gi', pods: '110' },
  conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', message: 'ok', lastHeartbeatTime: '1970-01-01T00:00:00Z' }],
  addresses: [{ type: 'InternalIP', address: '10.0.0.2' }],
  nodeInfo: { architecture: 'arm64' },
  labels: {},
});

describe('nextNodeStatus', () => {
  it('writes the first report with the server clock', () => {
    const s = nextNodeStatus(undefined, report('True'), T0)!;
    expect(s.capacity.cpu).toBe('4');
    expect(s.conditions[0]).toMatchObject({ status: 'True', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' });
  });

  it('skips a report where only heartbeat times would change', () => {
    const s = nextNodeStatus(undefined, report('True'), T0)!;
    expect(nextNodeStatus(JSON.parse(JSON.stringify(s)), report('True'), T0 + 30_000)).toBeUndefined();
  });

  it('writes a change, keeping the transition time of unchanged conditions', () => {
    const s = nextNodeStatus(undefined, report('True'), T0)!;
    const more = nextNodeStatus(s, report('True', '8'), T0 + 60_000)!;
    expect(more.capacity.cpu).toBe('8');
    expect(more.conditions[0].lastTransitionTime).toBe('2025-01-01T00:00:00Z');
    const down = nextNodeStatus(more, report('False'), T0 + 120_000)!;
    expect(down.conditions[0]).toMatchObject({ status: 'False', lastTransitionTime: '2025-01-01T00:02:00Z' });
  });
});
