import { describe, expect, it } from 'vitest';
import { mergePodStatus } from './pod-status.js';

describe('mergePodStatus', () => {
  it('takes the agent fields and keeps conditions it does not report', () => {
    const old = { phase: 'Pending', nominatedNodeName: 'x', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }] };
    const next = mergePodStatus(old, { phase: 'Running', podIP: '10.42.0.5', conditions: [{ type: 'Ready', status: 'True' }] });
    expect(next).toEqual({
      phase: 'Running',
      nominatedNodeName: 'x',
      podIP: '10.42.0.5',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    });
  });

  it('leaves conditions alone when the agent sends none', () => {
    expect(mergePodStatus({ conditions: [{ type: 'PodScheduled', status: 'True' }] }, { phase: 'Running' }).conditions).toEqual([{ type: 'PodScheduled', status: 'True' }]);
  });
});
