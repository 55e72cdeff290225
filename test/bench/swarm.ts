// swarm: Docker Swarm on the engines of a lab, as a side-by-side peer for the failure bench.
// Node 1's engine is the manager (`docker swarm init --advertise-addr <n1 ip>`), the others join
// as workers over the lab network; nothing runs on the machine's default engine. Setup goes
// through the docker CLI; state is read from the manager's Engine API on its unix socket, which
// answers in a few ms, so polling every 50 ms measures Swarm rather than CLI start-up.
//
// This kernel has no IPVS, so services get `--endpoint-mode dnsrr` (no virtual IP) and publish no
// port (no ingress routing mesh); their tasks sit on each engine's default bridge. Neither
// changes how Swarm notices a dead node or reschedules its tasks.
import { request } from 'node:http';
import type { Lab, LabNode } from '../lab/lab.js';

export interface SwarmNode {
  id: string;
  hostname: string;
  state: string; // ready | down | unknown | disconnected
  availability: string; // active | pause | drain
}

export interface SwarmTask {
  node: string; // hostname, '' while unassigned
  state: string; // new … running, failed, shutdown, orphaned, …
  error: string; // why the task failed, if it did
}

/** SwarmUnavailable: Swarm cannot run in this lab; reason says why (the failing command's words). */
export class SwarmUnavailable extends Error {}

export class Swarm {
  constructor(
    readonly manager: LabNode,
    readonly workers: LabNode[],
  ) {}

  get nodes(): LabNode[] {
    return [this.manager, ...this.workers];
  }

  /** get reads the manager's Engine API (GET path, JSON). */
  get(path: string): Promise<any> {
    return engineGet(this.manager.dockerSocket, path);
  }

  async listNodes(): Promise<SwarmNode[]> {
    const ns: any[] = await this.get('/nodes');
    return ns.map((n) => ({ id: n.ID, hostname: n.Description?.Hostname ?? '', state: n.Status?.State ?? '', availability: n.Spec?.Availability ?? '' }));
  }

  /** tasks lists a service's tasks that Swarm wants running (`service ps --filter desired-state=running`). */
  async tasks(service: string): Promise<SwarmTask[]> {
    const filters = encodeURIComponent(JSON.stringify({ service: [service], 'desired-state': ['running'] }));
    const [ns, ts]: [SwarmNode[], any[]] = await Promise.all([this.listNodes(), this.get(`/tasks?filters=${filters}`)]);
    const host = new Map(ns.map((n) => [n.id, n.hostname]));
    return ts.map((t) => ({ node: host.get(t.NodeID) ?? '', state: t.Status?.State ?? '', error: t.Status?.Err ?? '' }));
  }

  /** runningOn counts a service's running tasks per node hostname. */
  async runningOn(service: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of await this.tasks(service)) if (t.state === 'running') out[t.node] = (out[t.node] ?? 0) + 1;
    return out;
  }

  async setAvailability(node: LabNode, availability: 'active' | 'drain'): Promise<void> {
    await cli(this.manager, ['node', 'update', '--availability', availability, node.name]);
  }

  /** createService starts `replicas` tasks of image with the command; returns at once (--detach). */
  async createService(name: string, replicas: number, image: string, command: string[]): Promise<void> {
    const flags = ['--detach', '--no-resolve-image', '--endpoint-mode', 'dnsrr', '--replicas', String(replicas), '--name', name];
    const r = await this.manager.docker(['service', 'create', ...flags, image, ...command], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new SwarmUnavailable(`docker service create: ${r.stderr.trim() || r.stdout.trim()}`);
  }

  /** redistribute restarts every task of the service (`service update --force`), placed afresh. */
  async redistribute(name: string): Promise<void> {
    await cli(this.manager, ['service', 'update', '--detach', '--force', '--no-resolve-image', name]);
  }

  /** containers counts the service's running containers on one engine (what really runs there). */
  async containers(node: LabNode, service: string): Promise<number> {
    if (!node.engine.running) return 0;
    const r = await node.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`], { timeoutMs: 10_000 });
    return r.stdout.split('\n').filter(Boolean).length;
  }

  /** removeService deletes the service, so the lab's teardown does not race Swarm restarting its tasks. */
  async removeService(name: string): Promise<void> {
    await this.manager.docker(['service', 'rm', name], { timeoutMs: 30_000 });
  }
}

// startSwarm makes node 1 the manager and the other nodes workers, all over the lab network.
// It throws SwarmUnavailable with the engine's own message when a step cannot work here.
export async function startSwarm(lab: Lab): Promise<Swarm> {
  const [manager, ...workers] = lab.nodes;
  const init = await manager.docker(['swarm', 'init', '--advertise-addr', manager.ip], { timeoutMs: 60_000 });
  if (init.code !== 0) throw new SwarmUnavailable(`docker swarm init: ${init.stderr.trim()}`);
  const token = (await cli(manager, ['swarm', 'join-token', '-q', 'worker'])).trim();
  for (const w of workers) {
    const r = await w.docker(['swarm', 'join', '--token', token, '--advertise-addr', w.ip, `${manager.ip}:2377`], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new SwarmUnavailable(`docker swarm join on ${w.name}: ${r.stderr.trim()}`);
  }
  return new Swarm(manager, workers);
}

async function cli(node: LabNode, args: string[]): Promise<string> {
  const r = await node.docker(args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} on ${node.name}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

// engineGet is one GET against a Docker engine's unix socket; non-2xx answers throw.
function engineGet(socketPath: string, path: string, timeoutMs = 5_000): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`GET ${path}: ${res.statusCode} ${text.trim()}`));
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.end();
  });
}
