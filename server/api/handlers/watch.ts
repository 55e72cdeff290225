// watch: streams events as newline-delimited JSON. Headers go out at once (kubectl's
// rollout status and delete hang otherwise), a slow reader is cut off rather than buffering
// without bound, bookmarks carry the current revision, and timeoutSeconds ends the stream.
import type { KubeObject } from '../../../shared/api/meta.js';
import type { ResourceInfo } from '../../../shared/api/resources.js';
import type { WatchOptions } from '../../objects/object-service.js';
import { toStatus } from '../errors.js';
import { toTable } from '../tables/index.js';
import type { ApiContext } from './context.js';

export interface WatchParams extends WatchOptions {
  timeoutSeconds?: number;
  bookmarks: boolean;
  table: boolean;
  bookmarkIntervalMs?: number;
}

const DEFAULT_TIMEOUT_S = 1800;
// MAX_QUEUED_BYTES: a watcher that falls this far behind is closed; the client re-watches from
// its last resourceVersion, as with the apiserver.
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
const encoder = new TextEncoder();

export function watchResponse(ctx: ApiContext, info: ResourceInfo, params: WatchParams, signal: AbortSignal): Response {
  let closed = false;
  let cleanup = () => {};
  let firstTable = true;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const send = (type: string, object: unknown) => {
          if (closed) return;
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) return finish();
          controller.enqueue(encoder.encode(`${JSON.stringify({ type, object })}\n`));
        };
        const sendObject = (type: string, o: KubeObject) => {
          if (!params.table) return send(type, o);
          const t = toTable(info.plural, [o], { now: ctx.clock.now(), resourceVersion: o.metadata.resourceVersion });
          if (!firstTable) t.columnDefinitions = [];
          firstTable = false;
          send(type, t);
        };
        const finish = () => {
          if (closed) return;
          closed = true;
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed by the reader
          }
        };
        let watch: { close(): void } | undefined;
        try {
          watch = ctx.objects.watch(info, params, sendObject);
        } catch (e) {
          // The apiserver reports a too-old resourceVersion inside the stream, as an ERROR event.
          send('ERROR', toStatus(e));
          finish();
          return;
        }
        const timers: NodeJS.Timeout[] = [];
        const timeout = (params.timeoutSeconds && params.timeoutSeconds > 0 ? params.timeoutSeconds : DEFAULT_TIMEOUT_S) * 1000;
        timers.push(setTimeout(finish, timeout));
        if (params.bookmarks) {
          timers.push(
            setInterval(() => {
              send('BOOKMARK', {
                kind: info.kind,
                apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
                metadata: { resourceVersion: String(ctx.objects.store.revision) },
              });
            }, params.bookmarkIntervalMs ?? 30_000),
          );
        }
        const onAbort = () => finish();
        signal.addEventListener('abort', onAbort);
        cleanup = () => {
          watch?.close();
          for (const t of timers) clearTimeout(t);
          signal.removeEventListener('abort', onAbort);
        };
      },
      cancel() {
        closed = true;
        cleanup();
      },
    },
    { highWaterMark: MAX_QUEUED_BYTES, size: (chunk) => chunk.byteLength },
  );
  return new Response(stream, {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' },
  });
}
