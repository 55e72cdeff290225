// durability: kill -9 a server in the middle of a write load; every write it acknowledged must
// be there after a restart, with the same resourceVersion. This is the promise group commit must
// keep: acknowledge only after the shared transaction is on disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../lib/server-process.js';

describe('durability under kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-kill9-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no acknowledged write', async () => {
    const first = await startServerProcess(dir);
    const acked = new Map<string, string>();
    let stop = false;
    let n = 0;
    // 24 clients write as fast as they can until the kill.
    const client = async (id: number) => {
      while (!stop) {
        const name = `cm-${id}-${n++}`;
        try {
          const r = await first.api.call('POST', '/api/v1/namespaces/default/configmaps', {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name },
            data: { n: String(n) },
          });
          if (r.status === 201) acked.set(name, r.json().metadata.resourceVersion);
        } catch {
          return; // the connection died with the server
        }
      }
    };
    const clients = Array.from({ length: 24 }, (_, i) => client(i));
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await first.stop();
    expect(acked.size).toBeGreaterThan(50);

    const second = await startServerProcess(dir);
    try {
      const list = await second.api.call('GET', '/api/v1/namespaces/default/configmaps');
      expect(list.status).toBe(200);
      const have = new Map<string, string>(list.json().items.map((o: any) => [o.metadata.name, o.metadata.resourceVersion]));
      const missing = [...acked.keys()].filter((k) => !have.has(k));
      expect(missing).toEqual([]);
      for (const [name, rv] of acked) expect(have.get(name)).toBe(rv);
    } finally {
      await second.stop();
    }
  });
});
