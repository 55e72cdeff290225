import { describe, expect, it } from 'vitest';
import { decodeKubeProtobuf, ProtobufError } from './decode.js';

// A ConfigMap as kubectl 1.32 sends it (captured shape): k8s\0 + Unknown{TypeMeta, raw}.
function field(no: number, bytes: Uint8Array): number[] {
  const out = [(no << 3) | 2];
  let len = bytes.length;
  while (len > 0x7f) {
    out.push((len & 0x7f) | 0x80);
    len >>= 7;
  }
  out.push(len);
  return [...out, ...bytes];
}
const s = (x: string) => new TextEncoder().encode(x);
const msg = (...parts: number[][]) => new Uint8Array(parts.flat());

describe('decodeKubeProtobuf', () => {
  it('decodes a ConfigMap with labels and data', () => {
    const meta = msg(field(1, s('cfg')), field(3, s('shop')), field(11, msg(field(1, s('app')), field(2, s('web')))));
    const raw = msg(field(1, meta), field(2, msg(field(1, s('a')), field(2, s('b')))));
    const body = msg([0x6b, 0x38, 0x73, 0], field(1, msg(field(1, s('v1')), field(2, s('ConfigMap')))), field(2, raw));
    expect(decodeKubeProtobuf(body)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'shop', labels: { app: 'web' } },
      data: { a: 'b' },
    });
  });

  it('decodes an Eviction with its deleteOptions (kubectl drain)', () => {
    const varint = (no: number, v: number) => [no << 3, v];
    const pre = msg(field(1, s('uid-1')), field(2, s('42')));
    const opts = msg(varint(1, 5), field(2, pre), field(4, s('Background')), field(5, s('All')));
    const raw = msg(field(1, msg(field(1, s('web-1')), field(3, s('shop')))), field(2, opts));
    const body = msg([0x6b, 0x38, 0x73, 0], field(1, msg(field(1, s('policy/v1')), field(2, s('Eviction')))), field(2, raw));
    expect(decodeKubeProtobuf(body)).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'web-1', namespace: 'shop' },
      deleteOptions: { gracePeriodSeconds: 5, preconditions: { uid: 'uid-1', resourceVersion: '42' }, propagationPolicy: 'Background', dryRun: ['All'] },
    });
  });

  it.each([
    ['no magic', new Uint8Array([1, 2, 3, 4])],
    ['truncated', new Uint8Array([0x6b, 0x38, 0x73, 0, 0x0a, 0x7f])],
    ['an unsupported kind', msg([0x6b, 0x38, 0x73, 0], field(1, msg(field(1, s('apps/v1')), field(2, s('Deployment')))))],
  ])('refuses %s with a ProtobufError', (_n, body) => {
    expect(() => decodeKubeProtobuf(body)).toThrow(ProtobufError);
  });
});
