// lab: the multi-node lab itself — three engines with the busybox image, a web server in a
// container on node 2 reached from node 1 across the lab bridge, a teardown that leaves no
// namespace or dockerd behind; then one live-restore engine that survives a crash, and the
// relays between the test's loopback and the lab.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX_IMAGE, type Lab, startLab } from '../lab/lab.js';
import { exec } from '../lab/proc.js';

// dockerdsOf lists the pids of dockerd processes whose command line mentions the lab folder.
function dockerdsOf(labDir: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (cmd[0].endsWith('dockerd') && cmd.some((a) => a.includes(labDir))) pids.push(Number(p));
    } catch {}
  }
  return pids;
}

// cgroupsOf lists cgroup folders named after the lab, in every hierarchy (v1 or v2).
function cgroupsOf(name: string): string[] {
  const roots = ['/sys/fs/cgroup', ...readdirSync('/sys/fs/cgroup').map((d) => `/sys/fs/cgroup/${d}`)];
  return roots.flatMap((r) => {
    try {
      return readdirSync(r).filter((d) => d.startsWith(name)).map((d) => `${r}/${d}`);
    } catch {
      return [];
    }
  });
}

describe('lab', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab({ nodes: 3, image: true, name: 'e2e' });
    console.log(`lab ${lab.name} up: ${JSON.stringify(lab.timings)}`);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('gives every node its own engine, address and the same image', async () => {
    expect(lab.nodes.map((n) => n.ip)).toEqual(['10.201.0.11', '10.201.0.12', '10.201.0.13']);
    const ids = new Set<string>();
    for (const n of lab.nodes) {
      const info = await n.docker(['info', '-f', '{{.ID}} {{.Name}}']);
      expect(info.code).toBe(0);
      const [id, name] = info.stdout.trim().split(' ');
      expect(name).toBe(n.name);
      ids.add(id);
      expect((await n.docker(['image', 'inspect', '-f', '{{.Id}}', BUSYBOX_IMAGE])).stdout.trim()).toBe(lab.imageId);
      expect((await n.run(['hostname'])).trim()).toBe(n.name);
    }
    expect(ids.size).toBe(3);
  });

  it('serves a page from a container on node 2 to node 1', async () => {
    const [n1, n2] = lab.nodes;
    const run = await n2.docker(['run', '-d', '--init', BUSYBOX_IMAGE, 'httpd', '-f', '-p', '80', '-h', '/www']);
    expect(run.code, run.stderr).toBe(0);
    const ip = (await n2.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', run.stdout.trim()])).stdout.trim();
    expect(ip).toMatch(/^10\.244\.2\.\d+$/);
    await lab.routePods();
    const page = await n1.exec(['timeout', '5', 'busybox', 'wget', '-qO-', `http://${ip}/`]);
    expect(page.stdout, page.stderr).toBe('hello from bramble\n');
  });

  it('leaves no namespace or dockerd behind', async () => {
    const dir = lab.dir;
    await lab.stop();
    const netns = await exec(['ip', 'netns', 'list']);
    expect(netns.stdout).not.toContain(lab.name);
    expect(dockerdsOf(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(cgroupsOf(lab.name)).toEqual([]);
  });
});

describe('lab with one live-restore engine', () => {
  let lab: Lab;
  let server: Server;

  beforeAll(async () => {
    lab = await startLab({ nodes: 1, image: true, liveRestore: true });
    server = createServer((_req, res) => res.end('from the test process\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await lab?.stop();
    server?.close();
  });

  it('keeps a container serving through an engine crash and restart', async () => {
    const n1 = lab.node(1);
    const id = (await n1.run(['docker', '-H', n1.dockerHost, 'run', '-d', '--init', BUSYBOX_IMAGE, 'httpd', '-f', '-p', '80', '-h', '/www'])).trim();
    const ip = (await n1.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id])).stdout.trim();
    await n1.stopEngine('SIGKILL');
    expect(n1.engine.running).toBe(false);
    expect((await n1.exec(['timeout', '5', 'busybox', 'wget', '-qO-', `http://${ip}/`])).stdout).toBe('hello from bramble\n');
    await n1.startEngine();
    expect((await n1.docker(['exec', id, 'cat', '/www/index.html'])).stdout).toBe('hello from bramble\n');
  });

  it('relays between the test process and the lab both ways', async () => {
    const port = (server.address() as { port: number }).port;
    const exposed = await lab.expose(port, 6443);
    const got = await lab.node(1).exec(['timeout', '5', 'busybox', 'wget', '-qO-', `http://${exposed.host}:${exposed.port}/`]);
    expect(got.stdout, got.stderr).toBe('from the test process\n');
    await lab.routePods();
    const id = (await lab.node(1).docker(['ps', '-q'])).stdout.trim();
    const ip = (await lab.node(1).docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id])).stdout.trim();
    const fwd = await lab.forward(ip, 80);
    expect(await (await fetch(`http://${fwd.host}:${fwd.port}/`)).text()).toBe('hello from bramble\n');
  });
});
