import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import type { EventEntry } from '../../shared/mqtt/payloads.js';
import type { EventRecorder } from '../controllers/events.js';
import type { ObjectService } from '../objects/object-service.js';
import { NodeEvents } from './node-events.js';

const obj = (kind: string, name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace: kind === 'Pod' ? 'default' : undefined, uid: `uid-${name}` },
  ...extra,
});
const world: Record<string, KubeObject> = {
  'Node/pi-1': obj('Node', 'pi-1'),
  'Pod/mine': obj('Pod', 'mine', { spec: { nodeName: 'pi-1' } }),
  'Pod/theirs': obj('Pod', 'theirs', { spec: { nodeName: 'pi-2' } }),
};
const objects = { find: (info: { kind: string }, _ns: string, name: string) => world[`${info.kind}/${name}`] } as unknown as ObjectService;

function setup(opts = {}) {
  const recorded: string[] = [];
  const recorder: EventRecorder = { record: (o, type, reason) => recorded.push(`${o.kind}/${o.metadata.name} ${type} ${reason}`) };
  let now = 0;
  const events = new NodeEvents(objects, recorder, { now: () => now }, opts);
  return { recorded, events, advance: (ms: number) => (now += ms) };
}

const ev = (kind: string, name: string, reason = 'Pulled', extra: Partial<EventEntry> = {}): EventEntry => ({
  namespace: 'default',
  involvedObject: { kind, name },
  type: 'Normal',
  reason,
  message: 'm',
  ...extra,
});

describe('NodeEvents', () => {
  it('records events about the node and its own pods only', () => {
    const { recorded, events } = setup();
    events.record('pi-1', {
      v: 1,
      events: [ev('Pod', 'mine'), ev('Node', 'pi-1', 'Rebooted', { type: 'Warning' }), ev('Pod', 'theirs'), ev('Node', 'pi-2'), ev('Secret', 's'), ev('Pod', 'mine', 'X', { involvedObject: { kind: 'Pod', name: 'mine', uid: 'other' } })],
    });
    expect(recorded).toEqual(['Pod/mine Normal Pulled', 'Node/pi-1 Warning Rebooted']);
  });

  it('caps the rate per node', () => {
    const { recorded, events, advance } = setup({ burst: 3, perSecond: 1 });
    events.record('pi-1', { v: 1, events: Array.from({ length: 10 }, (_, i) => ev('Pod', 'mine', `R${i}`)) });
    expect(recorded).toHaveLength(3);
    expect(events.dropped).toBe(7);
    advance(2_000);
    events.record('pi-1', { v: 1, events: Array.from({ length: 10 }, (_, i) => ev('Pod', 'mine', `S${i}`)) });
    expect(recorded).toHaveLength(5);
  });
});
