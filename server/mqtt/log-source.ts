// log-source: pods/log over MQTT. The server asks the pod's node (LogRequest on its logs/req
// topic, with a fresh id), the agent answers with LogChunks on logs/<id>, and the chunks become
// the HTTP body. A reader going away publishes logs/<id>/stop so the agent stops following.
//
//   waiting ──first chunk──▶ streaming ──eof / error chunk──▶ done
//      │                        │
//      └──no answer in time──▶ done (an error line ends the body)
//   any state ──reader gone (abort, cancel) / node gone──▶ done (+ stop to the agent)
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../shared/api/meta.js';
import { decode, encode, type LogChunk, type LogRequest } from '../../shared/mqtt/payloads.js';
import { topics } from '../../shared/mqtt/topics.js';
import type { LogOptions, LogSource } from '../api/handlers/context.js';
import type { Bus } from './bus.js';

export interface MqttLogSourceOptions {
  /** answerTimeoutMs: how long the agent has to send its first chunk. */
  answerTimeoutMs?: number;
  /** nodes: ends the streams of a node whose agent went away. */
  nodes?: { isGone(node: string): boolean; onChange(cb: (node: string) => void): () => void };
}

export class MqttLogSource implements LogSource {
  private readonly answerTimeoutMs: number;

  constructor(
    private readonly bus: Bus,
    private readonly opts: MqttLogSourceOptions = {},
  ) {
    this.answerTimeoutMs = opts.answerTimeoutMs ?? 5_000;
  }

  async stream(pod: KubeObject, o: LogOptions, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const node: string = pod.spec.nodeName;
    const id = randomBytes(8).toString('hex');
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let done = false;
    let lastSeq = Number.NEGATIVE_INFINITY;
    let unsubscribe: (() => Promise<void>) | undefined;
    let answer: NodeJS.Timeout | undefined;
    const cleanups: (() => void)[] = [];

    const finish = (errorLine?: string, stopAgent = false) => {
      if (done) return;
      done = true;
      for (const c of cleanups) c();
      try {
        if (errorLine) controller.enqueue(Buffer.from(`error: ${errorLine}\n`));
        controller.close();
      } catch {
        // the reader already cancelled the stream
      }
      void unsubscribe?.();
      if (stopAgent) void this.bus.publish(topics.logStop(node, id), encode({ v: 1 }), { qos: 1 }).catch(() => {});
    };
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
      cancel: () => finish(undefined, true),
    });

    unsubscribe = await this.bus.subscribe(topics.logChunk(node, id), (_topic, payload) => {
      const chunk = decode<LogChunk>(payload);
      // QoS 1 keeps order but may repeat: anything not newer than the last chunk is a repeat.
      if (!chunk || done || !(chunk.seq > lastSeq)) return;
      lastSeq = chunk.seq;
      clearTimeout(answer);
      if (chunk.data) controller.enqueue(Buffer.from(chunk.data, 'base64'));
      if (chunk.error) finish(chunk.error);
      else if (chunk.eof) finish();
    });
    answer = setTimeout(() => finish(`node ${node} did not answer the log request within ${this.answerTimeoutMs / 1000}s`, true), this.answerTimeoutMs);
    cleanups.push(() => clearTimeout(answer));
    const onAbort = () => finish(undefined, true);
    signal.addEventListener('abort', onAbort);
    cleanups.push(() => signal.removeEventListener('abort', onAbort));
    if (this.opts.nodes) {
      const nodes = this.opts.nodes;
      cleanups.push(nodes.onChange((n) => n === node && nodes.isGone(node) && finish(`node ${node} went offline`)));
    }
    if (signal.aborted) finish(undefined, false);
    else await this.bus.publish(topics.logRequest(node), encode(request(id, pod, o)), { qos: 1 });
    return body;
  }
}

function request(id: string, pod: KubeObject, o: LogOptions): LogRequest {
  return {
    v: 1,
    id,
    namespace: pod.metadata.namespace!,
    pod: pod.metadata.name!,
    uid: pod.metadata.uid!,
    container: o.container,
    follow: o.follow,
    previous: o.previous,
    timestamps: o.timestamps,
    ...(o.tailLines === undefined ? {} : { tailLines: o.tailLines }),
    ...(o.sinceSeconds === undefined ? {} : { sinceSeconds: o.sinceSeconds }),
    ...(o.limitBytes === undefined ? {} : { limitBytes: o.limitBytes }),
  };
}
