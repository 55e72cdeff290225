// contract: one suite of behaviours, run against the FakeRuntime and against the DockerRuntime on
// a real engine inside a lab node (test/lab). If the lab cannot start, the Docker half fails.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX_IMAGE, INDEX_HTML, type Lab, startLab } from '../../test/lab/lab.js';
import { DockerRuntime } from './docker.js';
import { FakeRuntime } from './fake.js';
import { type ContainerInfo, type ContainerRuntime, type ContainerSpec, LABELS } from './runtime.js';

interface Harness {
  runtime: ContainerRuntime;
  real: boolean;
  /** memoryHogStarted: a real engine OOM-kills the hog by itself; the fake is told to. */
  memoryHogStarted(id: string): void;
  /** engine stops or starts the engine (SIGTERM to dockerd on a lab node). */
  engine(up: boolean): Promise<void>;
  stop(): Promise<void>;
}

const variants: { name: string; setup(): Promise<Harness> }[] = [
  {
    name: 'FakeRuntime',
    async setup() {
      const fake = new FakeRuntime();
      fake.addImage(BUSYBOX_IMAGE, { cmd: ['/bin/sh'] });
      return {
        runtime: fake,
        real: false,
        memoryHogStarted: (id) => fake.crash(id, 137, { oom: true }),
        engine: async (up) => fake.setEngineDown(!up),
        stop: async () => {},
      };
    },
  },
  {
    name: 'DockerRuntime on a lab engine',
    async setup() {
      const lab: Lab = await startLab({ nodes: 1, image: true, name: 'runtime' });
      const node = lab.nodes[0];
      return {
        runtime: new DockerRuntime(node.dockerHost),
        real: true,
        memoryHogStarted: () => {},
        engine: (up) => (up ? node.startEngine() : node.stopEngine('SIGTERM')),
        stop: () => lab.stop(),
      };
    },
  },
];

const HTTPD = ['httpd', '-f', '-p', '80', '-h', '/www'];
const POD_NET = 'bramble-contract';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.each(variants)('ContainerRuntime contract: $name', (variant) => {
  let h: Harness;
  let rt: ContainerRuntime;
  const created: string[] = [];
  let n = 0;

  beforeAll(async () => {
    h = await variant.setup();
    rt = h.runtime;
  }, 120_000);
  afterAll(async () => h?.stop(), 60_000);
  afterEach(async () => {
    await Promise.all(created.splice(0).map((id) => rt.remove(id)));
  });

  /** spec: a busybox container of a pod, with a unique name. */
  function spec(over: Partial<ContainerSpec> = {}): ContainerSpec {
    n++;
    return {
      name: `ct-${n}`,
      image: BUSYBOX_IMAGE,
      labels: { [LABELS.podUid]: `uid-${n}`, [LABELS.podName]: `pod-${n}`, [LABELS.podNamespace]: 'default', [LABELS.role]: 'app' },
      network: 'bridge',
      ...over,
    };
  }
  async function run(s: ContainerSpec): Promise<string> {
    const id = await rt.create(s);
    created.push(id);
    await rt.start(id);
    return id;
  }
  const exited = (id: string) =>
    waitFor(`${id} to exit`, async () => {
      const c = await rt.inspect(id);
      return c?.state.status === 'exited' ? c : undefined;
    });
  async function logText(id: string): Promise<string> {
    let text = '';
    for await (const chunk of rt.logs(id, { follow: false }, new AbortController().signal)) text += chunk.toString();
    return text;
  }

  it('reports the engine', async () => {
    const info = await rt.info();
    expect(info.os).toBe('linux');
    expect(info.architecture).toMatch(/^(x86_64|aarch64|armv7l)$/);
    expect(info.version).not.toBe('');
  });

  it('creates and starts a busybox httpd with labels; list shows it running', async () => {
    const s = spec({ args: HTTPD, init: true });
    const id = await run(s);
    const listed = (await rt.list()).find((c) => c.id === id) as ContainerInfo;
    expect(listed).toMatchObject({ name: s.name, image: BUSYBOX_IMAGE, labels: s.labels, state: { status: 'running' } });
    expect(listed.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const inspected = await rt.inspect(id);
    expect(inspected).toMatchObject({ id, name: s.name, labels: s.labels, state: { status: 'running' }, ip: listed.ip });
    expect(Date.parse(inspected?.state.startedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(inspected?.imageId).toMatch(/^sha256:/);
  });

  it('lists only containers that carry the pod label', async () => {
    const id = await rt.create(spec({ name: `ct-unlabelled-${n}`, labels: { other: 'x' }, args: ['sleep', '60'] }));
    created.push(id);
    expect((await rt.list()).map((c) => c.id)).not.toContain(id);
    expect(await rt.inspect(id)).toMatchObject({ state: { status: 'created' } });
  });

  it('gives an infra container (pause image, fixed IP) and an app joined to it one IP', async () => {
    expect(await rt.ensureNetwork(POD_NET, '10.250.0.0/24', '10.250.0.1')).toBe(POD_NET);
    // unused, a network with another subnet is replaced (the node got a new pod subnet) …
    expect(await rt.ensureNetwork(POD_NET, '10.251.0.0/24', '10.251.0.1')).toBe(POD_NET);
    expect(await rt.ensureNetwork(POD_NET, '10.250.0.0/24', '10.250.0.1')).toBe(POD_NET);
    const pause = await rt.ensurePauseImage();
    expect(pause).toMatch(/^bramble\/pause:(amd64|arm64|arm)-1$/);
    expect(await rt.ensurePauseImage()).toBe(pause);
    const infra = await run(
      spec({
        image: pause,
        network: POD_NET,
        ipAddress: '10.250.0.10',
        init: true,
        hostname: 'pod-a',
        dnsServers: ['10.250.0.53'],
        dnsSearch: ['default.svc.cluster.local'],
        dnsOptions: ['ndots:5'],
        labels: { ...spec().labels, [LABELS.role]: 'infra' },
      }),
    );
    const net = `container:${infra}`;
    const web = await run(spec({ network: net, args: HTTPD, init: true }));
    const client = await run(spec({ network: net, args: ['sleep', '60'], init: true }));
    await sleep(300);
    expect(await rt.inspect(infra)).toMatchObject({ ip: '10.250.0.10', state: { status: 'running' } });
    expect(await rt.inspect(web)).toMatchObject({ ip: '10.250.0.10', state: { status: 'running' } });
    // … but not while pods use it
    await expect(rt.ensureNetwork(POD_NET, '10.251.0.0/24')).rejects.toThrow(/exists with subnet 10\.250\.0\.0\/24/);
    if (h.real) {
      // One network namespace: the client reaches the web server on localhost and sees the pod's address.
      expect(await rt.exec(client, ['wget', '-qO-', 'http://127.0.0.1/'], 5000)).toEqual({ exitCode: 0, output: INDEX_HTML });
      expect((await rt.exec(client, ['ip', '-4', '-o', 'addr', 'show', 'eth0'], 5000)).output).toContain('10.250.0.10/24');
      expect((await rt.exec(client, ['hostname'], 5000)).output).toBe('pod-a\n');
      // On a user-defined network Docker's embedded DNS (127.0.0.11) forwards to the given servers.
      const resolv = (await rt.exec(client, ['cat', '/etc/resolv.conf'], 5000)).output;
      expect(resolv).toMatch(/^nameserver (10\.250\.0\.53|127\.0\.0\.11)$/m);
      expect(resolv).toMatch(/^search default\.svc\.cluster\.local$/m);
      expect(resolv).toMatch(/^options .*ndots:5/m);
      // On the default bridge the servers are written as given.
      const plain = await run(spec({ args: ['sleep', '60'], init: true, dnsServers: ['10.250.0.53'] }));
      expect((await rt.exec(plain, ['cat', '/etc/resolv.conf'], 5000)).output).toMatch(/^nameserver 10\.250\.0\.53$/m);
    }
    // DNS settings belong on the infra container; a joined container may not have them.
    await expect(rt.create(spec({ network: net, dnsServers: ['10.0.0.53'] }))).rejects.toThrow(/dnsServers conflicts with network mode/);
    const t0 = Date.now();
    await rt.stop(infra, 10);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await rt.inspect(infra))?.state).toMatchObject({ status: 'exited' });
    await Promise.all([rt.stop(web, 5), rt.stop(client, 5)]);
  });

  it('stops within the grace period with init, and kills a PID 1 that ignores SIGTERM after it', async () => {
    const withInit = await run(spec({ args: ['sleep', '1000'], init: true }));
    const bare = await run(spec({ args: ['sleep', '1000'] }));
    await sleep(200);
    let t0 = Date.now();
    await rt.stop(withInit, 10);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await rt.inspect(withInit))?.state).toMatchObject({ status: 'exited', exitCode: 143 });
    t0 = Date.now();
    await rt.stop(bare, 1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const state = (await rt.inspect(bare))?.state;
    expect(state).toMatchObject({ status: 'exited', exitCode: 137 });
    expect(state?.oomKilled).toBeFalsy();
    expect(Date.parse(state?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(state?.startedAt ?? ''));
    await rt.stop(bare, 1); // stopping a stopped container is fine
  });

  it('reports the exit code of a process that exits by itself', async () => {
    const id = await run(spec({ command: ['sh', '-c', 'exit 3'] }));
    const c = await exited(id);
    expect(c.state).toMatchObject({ status: 'exited', exitCode: 3 });
    expect(c.state.oomKilled).toBeFalsy();
    expect(c.ip).toBeUndefined();
  });

  it('reports an OOM kill', async () => {
    const id = await run(spec({ command: ['sh', '-c', 'x=a; while true; do x=$x$x; done'], memoryBytes: 16 * 1024 * 1024 }));
    h.memoryHogStarted(id);
    const c = await exited(id);
    expect(c.state).toMatchObject({ status: 'exited', exitCode: 137, oomKilled: true });
  });

  it('runs command/args with Kubernetes semantics', async () => {
    const argsOnly = await run(spec({ args: ['sh', '-c', 'echo from-args'] }));
    const both = await run(spec({ command: ['echo'], args: ['a', 'b'] }));
    const commandOnly = await run(spec({ command: ['sh', '-c', 'echo from-command'] }));
    for (const id of [argsOnly, both, commandOnly]) await exited(id);
    expect(await logText(argsOnly)).toBe('from-args\n');
    expect(await logText(both)).toBe('a b\n');
    expect(await logText(commandOnly)).toBe('from-command\n');
  });

  it('execs a command and returns its output and exit code, or a timeout', async () => {
    const id = await run(spec({ args: ['sleep', '60'], init: true }));
    expect(await rt.exec(id, ['echo', 'hello'], 5000)).toEqual({ exitCode: 0, output: 'hello\n' });
    const r = await rt.exec(id, ['sh', '-c', 'echo out; echo err >&2; exit 3'], 5000);
    expect(r.exitCode).toBe(3);
    expect(r.output).toContain('out\n');
    expect(r.output).toContain('err\n');
    const t0 = Date.now();
    expect(await rt.exec(id, ['sleep', '5'], 300)).toMatchObject({ exitCode: -1, timedOut: true });
    expect(Date.now() - t0).toBeLessThan(3000);
    await rt.stop(id, 5);
    await expect(rt.exec(id, ['echo', 'x'], 1000)).rejects.toThrow(/is not running/);
  });

  it('returns logs, a tail of them, and follows new lines', async () => {
    // stdout and stderr reach the log through separate pipes, so lines on both are spaced in time.
    const id = await run(spec({ command: ['sh', '-c', 'echo one >&2; sleep 0.3; echo two; sleep 1; echo three; sleep 60'], init: true }));
    const early = await waitFor('two log lines', async () => {
      const t = await logText(id);
      return t.includes('two') ? t : undefined;
    });
    expect(early).toContain('one\n');
    expect(early).not.toContain('three');
    let tail = '';
    for await (const c of rt.logs(id, { follow: false, tail: 1 }, new AbortController().signal)) tail += c.toString();
    expect(tail).toBe('two\n');
    const abort = new AbortController();
    let followed = '';
    const t0 = Date.now();
    for await (const chunk of rt.logs(id, { follow: true }, abort.signal)) {
      followed += chunk.toString();
      if (followed.includes('three')) abort.abort();
    }
    expect(followed).toBe('one\ntwo\nthree\n');
    expect(Date.now() - t0).toBeLessThan(5000);
    const ts: Buffer[] = [];
    for await (const c of rt.logs(id, { follow: false, timestamps: true, tail: 1 }, new AbortController().signal)) ts.push(c);
    expect(Buffer.concat(ts).toString()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z three\n$/);
  });

  it('ends a follow when the container exits', async () => {
    const id = await run(spec({ command: ['sh', '-c', 'echo bye; sleep 1; exit 0'] }));
    let text = '';
    for await (const chunk of rt.logs(id, { follow: true }, new AbortController().signal)) text += chunk.toString();
    expect(text).toBe('bye\n');
  });

  it('knows which images are present', async () => {
    expect(await rt.image('local/does-not-exist:1')).toBeUndefined();
    const img = await rt.image(BUSYBOX_IMAGE);
    expect(img).toMatchObject({ os: 'linux', architecture: expect.stringMatching(/^(amd64|arm64|arm)$/) });
    expect(img?.id).toMatch(/^sha256:/);
  });

  it("fails a pull of a missing image with the engine's message", async () => {
    const ref = 'bramble-test/does-not-exist:1';
    const err = await rt.pull(ref, undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message.startsWith(`pull ${ref}: `)).toBe(true);
    expect(message.length).toBeGreaterThan(`pull ${ref}: `.length + 10);
    expect(message).not.toMatch(/HTTP code|undefined|\[object/);
    expect(await rt.image(ref)).toBeUndefined();
  }, 60_000);

  it('refuses a second container with the same name and a missing image', async () => {
    const s = spec({ args: ['sleep', '60'] });
    created.push(await rt.create(s));
    await expect(rt.create(s)).rejects.toThrow(/already in use/);
    await expect(rt.create(spec({ image: 'local/does-not-exist:1' }))).rejects.toThrow(/No such image/i);
  });

  it('removes containers idempotently', async () => {
    const id = await run(spec({ args: ['sleep', '60'] }));
    await rt.remove(id);
    expect(await rt.inspect(id)).toBeUndefined();
    await rt.remove(id);
    await rt.stop(id, 1);
    expect((await rt.list()).map((c) => c.id)).not.toContain(id);
  });

  it('streams start, die and destroy events of pod containers', async () => {
    const seen: { id: string; action: string }[] = [];
    const abort = new AbortController();
    const done = rt.events((e) => seen.push(e), abort.signal);
    await sleep(200); // the engine has the subscription
    const unlabelled = await rt.create(spec({ name: `ct-quiet-${n}`, labels: {}, command: ['sh', '-c', 'exit 0'] }));
    created.push(unlabelled);
    await rt.start(unlabelled);
    const id = await rt.create(spec({ command: ['sh', '-c', 'exit 2'] }));
    await rt.start(id);
    await exited(id);
    await rt.remove(id);
    await waitFor('destroy event', async () => seen.some((e) => e.id === id && e.action === 'destroy'));
    expect(seen.filter((e) => e.id === id).map((e) => e.action)).toEqual(['start', 'die', 'destroy']);
    expect(seen.some((e) => e.id === unlabelled)).toBe(false);
    abort.abort();
    await done;
  });

  it('fails calls with a clear error and ends the event stream while the engine is down', async () => {
    const ended = rt.events(() => {}, new AbortController().signal).then(
      () => new Error('the event stream ended without an error'),
      (e: Error) => e,
    );
    await sleep(200);
    await h.engine(false);
    expect((await ended).message).toMatch(/^events: the engine closed the event stream/);
    await expect(rt.list()).rejects.toThrow(/ENOENT|ECONNREFUSED/);
    await h.engine(true);
    expect(Array.isArray(await rt.list())).toBe(true);
  }, 60_000);
});
