// wait-gone: delete's --wait. Polls the object every 100 ms until a GET says 404, because a
// DELETE only starts deletion: finalizers, foreground cascading and a pod's grace period keep
// the object around for a while.
import type { ApiClient } from '../client.js';
import { CliError, ServerError } from '../errors.js';
import { sleep } from './shared.js';

const POLL_MS = 100;

export async function waitUntilGone(client: ApiClient, path: string, uid: string | undefined, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const obj = await client.get(path);
      // A new object under the same name (a controller re-creating it) means ours is gone.
      if (uid && obj?.metadata?.uid && obj.metadata.uid !== uid) return;
    } catch (e) {
      if (e instanceof ServerError && e.code === 404) return;
      throw e;
    }
    if (Date.now() >= deadline) throw new CliError(`timed out waiting for the condition on ${what}`);
    await sleep(POLL_MS);
  }
}
