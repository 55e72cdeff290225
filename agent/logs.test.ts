import { describe, expect, it } from 'vitest';
import type { LogChunk, LogRequest } from '../shared/mqtt/payloads.js';
import { pickContainer, serveLogs } from './logs.js';
import { type ContainerInfo, type ContainerRuntime, LABELS, type LogStreamOptions } from './runtime/runtime.js';

const c = (id: string, name: string, attempt: number, role = 'app'): ContainerInfo => ({
  id,
  name: id,
  image: 'nginx',
  labels: { [LABELS.podUid]: 'u1', [LABELS.podName]: 'web', [LABELS.podNamespace]: 'default', [LABELS.container]: name, [LABELS.role]: role, [LABELS.attempt]: String(attempt) },
  state: { status: 'running' },
});
const all = [c('infra', 'POD', 0, 'infra'), c('a0', 'app', 0), c('a1', 'app', 1), c('s0', 'sidecar', 0)];
const req = (over: Partial<LogRequest> = {}): LogRequest => ({ v: 1, id: 'r', namespace: 'default', pod: 'web', uid: 'u1', container: 'app', follow: false, previous: false, timestamps: false, ...over });

describe('pickContainer', () => {
  it('picks the newest attempt, or the one before it for --previous', () => {
    expect((pickContainer(all, req()) as ContainerInfo).id).toBe('a1');
    expect((pickContainer(all, req({ previous: true })) as ContainerInfo).id).toBe('a0');
    expect(pickContainer(all, req({ container: 'sidecar', previous: true }))).toBe('previous terminated container "sidecar" in pod "web" not found');
  });

  it('asks for a container name when the pod has several, as kubectl does', () => {
    expect(pickContainer(all, req({ container: '' }))).toBe('a container name must be specified for pod web, choose one of: [app sidecar]');
    expect((pickContainer(all.slice(0, 3), req({ container: '' })) as ContainerInfo).id).toBe('a1');
  });
});

function fakeRuntime(chunks: string[], seen: LogStreamOptions[] = []): ContainerRuntime {
  return {
    list: async () => all,
    async *logs(_id: string, opts: LogStreamOptions) {
      seen.push(opts);
      for (const ch of chunks) yield Buffer.from(ch);
    },
  } as unknown as ContainerRuntime;
}

describe('serveLogs', () => {
  it('streams base64 chunks and ends with eof, passing tail/since through', async () => {
    const sent: Omit<LogChunk, 'v'>[] = [];
    const seen: LogStreamOptions[] = [];
    await serveLogs(fakeRuntime(['one\n', 'two\n'], seen), req({ tailLines: 5, sinceSeconds: 60 }), new AbortController().signal, async (ch) => void sent.push(ch), () => 1_000_000);
    expect(sent).toEqual([
      { seq: 0 },
      { seq: 1, data: Buffer.from('one\n').toString('base64') },
      { seq: 2, data: Buffer.from('two\n').toString('base64') },
      { seq: 3, eof: true },
    ]);
    expect(seen).toEqual([{ follow: false, tail: 5, timestamps: false, since: 940 }]);
  });

  it('stops at limitBytes', async () => {
    const sent: Omit<LogChunk, 'v'>[] = [];
    await serveLogs(fakeRuntime(['abcdef', 'ghi']), req({ limitBytes: 4 }), new AbortController().signal, async (ch) => void sent.push(ch));
    expect(sent.map((s) => (s.data ? Buffer.from(s.data, 'base64').toString() : s))).toEqual([{ seq: 0 }, 'abcd', { seq: 2, eof: true }]);
  });

  it('answers with an error when the container is not here', async () => {
    const sent: Omit<LogChunk, 'v'>[] = [];
    await serveLogs(fakeRuntime([]), req({ container: 'nope' }), new AbortController().signal, async (ch) => void sent.push(ch));
    expect(sent).toEqual([{ seq: 0, error: 'container "nope" in pod "web" is not on this node yet' }]);
  });
});
