// logs: answers a LogRequest (`kubectl logs`) from the container runtime. The server asks over
// MQTT; the agent streams chunks back on …/logs/<id> and ends with eof or error. A stop message
// from the server (the reader went away) aborts the stream through the signal.
import type { LogChunk, LogRequest } from '../shared/mqtt/payloads.js';
import { type ContainerInfo, type ContainerRuntime, LABELS } from './runtime/runtime.js';

// MAX_CHUNK keeps each MQTT message small enough for any broker's default packet limit.
const MAX_CHUNK = 64 * 1024;

export type SendChunk = (chunk: Omit<LogChunk, 'v'>) => Promise<void>;

/** pickContainer finds the container instance a request means; a string is the reason it cannot. */
export function pickContainer(all: ContainerInfo[], req: LogRequest): ContainerInfo | string {
  const ofPod = all.filter(
    (c) => c.labels[LABELS.role] !== 'infra' && (req.uid ? c.labels[LABELS.podUid] === req.uid : c.labels[LABELS.podName] === req.pod && c.labels[LABELS.podNamespace] === req.namespace),
  );
  const names = [...new Set(ofPod.map((c) => c.labels[LABELS.container]))];
  const name = req.container || (names.length === 1 ? names[0] : '');
  if (!name) {
    return names.length ? `a container name must be specified for pod ${req.pod}, choose one of: [${names.join(' ')}]` : `pod ${req.pod} has no containers on this node yet`;
  }
  const instances = ofPod.filter((c) => c.labels[LABELS.container] === name).sort((a, b) => attempt(b) - attempt(a));
  if (req.previous) return instances[1] ?? `previous terminated container "${name}" in pod "${req.pod}" not found`;
  return instances[0] ?? `container "${name}" in pod "${req.pod}" is not on this node yet`;
}

function attempt(c: ContainerInfo): number {
  return Number(c.labels[LABELS.attempt] ?? 0) || 0;
}

/** serveLogs streams one request to its end, its limit, an error, or the signal. */
export async function serveLogs(runtime: ContainerRuntime, req: LogRequest, signal: AbortSignal, send: SendChunk, now = Date.now): Promise<void> {
  let seq = 0;
  try {
    const target = pickContainer(await runtime.list(), req);
    if (typeof target === 'string') return await send({ seq, error: target });
    // Answer at once: a followed log may stay quiet for long, and the server gives up on a
    // request it hears nothing about within a few seconds.
    await send({ seq: seq++ });
    const since = req.sinceSeconds ? Math.floor(now() / 1000) - req.sinceSeconds : undefined;
    let budget = req.limitBytes ?? Number.POSITIVE_INFINITY;
    for await (const buf of runtime.logs(target.id, { follow: req.follow, tail: req.tailLines, timestamps: req.timestamps, since }, signal)) {
      if (signal.aborted) return;
      const part = buf.length > budget ? buf.subarray(0, budget) : buf;
      for (let off = 0; off < part.length; off += MAX_CHUNK) {
        await send({ seq: seq++, data: part.subarray(off, off + MAX_CHUNK).toString('base64') });
      }
      budget -= part.length;
      if (budget <= 0) break;
    }
    if (!signal.aborted) await send({ seq, eof: true });
  } catch (e) {
    if (signal.aborted) return;
    await send({ seq, error: (e as Error).message }).catch(() => undefined);
  }
}
