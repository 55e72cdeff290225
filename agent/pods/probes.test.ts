import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../runtime/fake-clock.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { countOutcome, type Prober, ProbeLoop, probePort, realProber } from './probes.js';
import type { Delay } from './timing.js';

describe('countOutcome', () => {
  it('turns only after the thresholds', () => {
    const probe = { successThreshold: 2, failureThreshold: 3 };
    let c = { result: 'unknown' as const, successes: 0, failures: 0 } as ReturnType<typeof countOutcome>;
    const results: string[] = [];
    for (const ok of [true, true, false, false, true, false, false, false]) {
      c = countOutcome(c, ok, probe);
      results.push(c.result);
    }
    expect(results).toEqual(['unknown', 'success', 'success', 'success', 'success', 'success', 'success', 'failure']);
  });
});

describe('ProbeLoop', () => {
  it('waits initialDelaySeconds, then probes every periodSeconds, reporting turns only', async () => {
    const clock = new ManualClock();
    const delay: Delay = (ms, fn) => ({ cancel: clock.setTimeout(fn, ms) });
    const at: number[] = [];
    let ok = true;
    const prober: Prober = async () => {
      at.push(clock.now() - Date.UTC(2025, 0, 1));
      return { ok, message: ok ? undefined : 'down' };
    };
    const turns: string[] = [];
    const c = { name: 'c', image: 'i' };
    const loop = new ProbeLoop('liveness', { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 2 }, { podIP: '10.0.0.1', containerId: 'x', container: c }, prober, delay, (_k, r, m) =>
      turns.push(`${r}:${m}`),
    );
    loop.start();
    await clock.advance(25_000);
    ok = false;
    await clock.advance(20_000);
    loop.stop();
    await clock.advance(60_000);
    expect(at).toEqual([5_000, 15_000, 25_000, 35_000, 45_000]);
    expect(turns).toEqual(['failure:down']);
    expect(clock.timers).toBe(0);
  });
});

describe('realProber', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? 200 : req.url === '/slow' ? 200 : 500;
      if (req.url === '/slow') setTimeout(() => res.end(), 500);
      else res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const rt = { exec: async (_id: string, cmd: string[]) => ({ exitCode: cmd[0] === 'ok' ? 0 : 1, output: 'not ok\n' }) } as unknown as ContainerRuntime;
  const target = () => ({ podIP: '127.0.0.1', containerId: 'x', container: { name: 'c', image: 'i', ports: [{ name: 'http', containerPort: port }] } });
  const probe = realProber(rt);

  it.each([
    [{ httpGet: { path: '/healthz', port: 'http' } }, { ok: true }],
    [{ httpGet: { path: '/broken', port: 'http' } }, { ok: false, message: 'HTTP probe failed with statuscode: 500' }],
    [{ exec: { command: ['ok'] } }, { ok: true }],
    [{ exec: { command: ['bad'] } }, { ok: false, message: 'not ok' }],
  ])('%j', async (p, outcome) => {
    expect(await probe(p, target(), 1000)).toEqual(outcome);
  });

  it('times out slow HTTP answers and fails closed TCP ports', async () => {
    expect((await probe({ httpGet: { path: '/slow', port } }, target(), 100)).ok).toBe(false);
    expect(await probe({ tcpSocket: { port } }, target(), 1000)).toEqual({ ok: true });
    const closed = await probe({ tcpSocket: { port: 1 } }, target(), 1000);
    expect(closed.ok).toBe(false);
  });

  it('resolves named and numeric ports', () => {
    const c = { name: 'c', image: 'i', ports: [{ name: 'web', containerPort: 8080 }] };
    expect([probePort('web', c), probePort(81, c), probePort('82', c), probePort('nope', c)]).toEqual([8080, 81, 82, undefined]);
  });
});
