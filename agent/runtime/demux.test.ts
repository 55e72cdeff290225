import { describe, expect, it } from 'vitest';
import { Demuxer, demuxAll, frame } from './demux.js';

describe('Demuxer', () => {
  it('splits frames and keeps the stream of each', () => {
    const buf = Buffer.concat([frame('stdout', 'out\n'), frame('stderr', 'err\n'), frame('stdout', '')]);
    expect(demuxAll(buf).map((f) => [f.stream, f.payload.toString()])).toEqual([
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
      ['stdout', ''],
    ]);
  });

  it('reassembles frames split at any byte', () => {
    const buf = Buffer.concat([frame('stdout', 'hello '), frame('stderr', 'world')]);
    for (let cut = 0; cut <= buf.length; cut++) {
      const d = new Demuxer();
      const frames = [...d.push(buf.subarray(0, cut)), ...d.push(buf.subarray(cut))];
      expect(frames.map((f) => f.payload.toString()).join('')).toBe('hello world');
    }
  });

  it('passes a non-multiplexed (TTY) stream through', () => {
    expect(demuxAll(Buffer.from('plain text output')).map((f) => f.payload.toString())).toEqual(['plain text output']);
  });
});
