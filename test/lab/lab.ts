// lab: several simulated Pis on one machine, each a network namespace with its own Docker
// engine, linked by a bridge in a namespace of its own. See README.md for the address plan.
//
//   const lab = await startLab({ nodes: 3, image: true });
//   await lab.nodes[1].docker(['run', '-d', 'local/busybox:1', 'httpd', '-f', '-p', '80', '-h', '/www']);
//   await lab.stop();
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupStaleLabs, registerLab, releaseLab } from './cleanup.js';
import { BUSYBOX_IMAGE, BUSYBOX_IMAGE_2, buildBusyboxImage, copyImages } from './image.js';
import { CLUSTER_CIDR, type LabNames, newLabName, planLab } from './names.js';
import { createBridge, createNodeNetwork } from './network.js';
import { createNode, type LabNode, type ManagedNode } from './node.js';
import { applyPodFirewall, routePods } from './pod-network.js';
import { pinNamespaces, privateLabDir } from './pin.js';
import { ensurePrerequisites } from './prereqs.js';
import { type ExecOptions, type ExecResult, exec } from './proc.js';
import { type Relay, exposeLoopback, forwardToLab } from './relay.js';

export type { LabNode, SpawnInNodeOptions } from './node.js';
export type { ExecOptions, ExecResult } from './proc.js';
export type { Relay } from './relay.js';
export { Engine, type EngineOptions, ping } from './engine.js';
export { BUSYBOX_IMAGE, BUSYBOX_IMAGE_2, INDEX_HTML, buildBusyboxImage, copyImages, imageId } from './image.js';
export { cleanupStaleLabs } from './cleanup.js';
export { CLUSTER_CIDR } from './names.js';

export interface LabOptions {
  nodes: number; // 1–200; node i (1-based) is nodes[i-1]
  name?: string; // a label added to the lab's name, for reading `ip netns list`
  image?: boolean; // load local/busybox:1 (and :2) into every engine
  liveRestore?: boolean; // start engines with --live-restore
  engineArgs?: string[]; // more dockerd flags for every engine
}

export interface Lab {
  readonly name: string; // blab-<pid>-<n>[-<label>]
  readonly dir: string; // the lab's folder: per node data, exec root, socket, dockerd.log
  readonly subnet: string; // 10.201.0.0/24
  readonly gatewayIp: string; // 10.201.0.1, the bridge in the bridge namespace
  readonly bridgeNetns: string;
  readonly clusterCidr: string; // 10.244.0.0/16; node i's pods are in 10.244.i.0/24
  readonly nodes: LabNode[];
  readonly imageId?: string; // ID of local/busybox:1, the same on every node
  readonly timings: Record<string, number>; // ms per setup phase
  // node returns node i (1-based), as in its name n<i>.
  node(index: number): LabNode;
  // routePods lets pods on different nodes reach each other without NAT: routes to every other
  // node's pod subnet, DOCKER-USER accepts cluster traffic, and a POSTROUTING RETURN keeps pod
  // source IPs (re-applied after each engine start, since dockerd re-inserts its rules).
  routePods(): Promise<void>;
  // execInBridge runs a command in the bridge namespace (it owns gatewayIp).
  execInBridge(cmd: string[], opts?: ExecOptions): Promise<ExecResult>;
  // expose makes a TCP port of the test process's loopback reachable inside the lab at
  // gatewayIp:labPort (default: the same port), e.g. a `bramble server` for agents in nodes.
  // jitterMs: each chunk is delayed by a random 0–jitterMs (in order), both ways.
  expose(loopbackPort: number, labPort?: number, opts?: { jitterMs?: number }): Promise<Relay>;
  // forward makes ip:port inside the lab reachable at 127.0.0.1:<relay.port> from the test.
  forward(ip: string, port: number): Promise<Relay>;
  stop(): Promise<void>;
}

export async function startLab(opts: LabOptions): Promise<Lab> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const mark = (phase: string, since: number) => (timings[phase] = Math.round(performance.now() - since));
  await ensurePrerequisites();
  await cleanupStaleLabs();
  mark('prepare', t0);
  const names = planLab(newLabName(opts.name), opts.nodes);
  registerLab(names); // from here on, an exit, a signal or a SIGKILL tears the lab down
  try {
    let t = performance.now();
    await buildNetwork(names);
    mark('network', t);
    const routed = { on: false };
    const engineOpts = { liveRestore: opts.liveRestore, extraArgs: opts.engineArgs };
    const nodes: ManagedNode[] = names.nodes.map((n) =>
      createNode(names, n, engineOpts, async () => {
        if (routed.on) await applyPodFirewall(nodes[n.index - 1]);
      }),
    );
    t = performance.now();
    await Promise.all(nodes.map((n) => n.startEngine()));
    mark('engines', t);
    let imageId: string | undefined;
    if (opts.image) {
      t = performance.now();
      imageId = await buildBusyboxImage(nodes[0].dockerSocket);
      await copyImages(nodes[0].dockerSocket, nodes.slice(1).map((n) => n.dockerSocket), [BUSYBOX_IMAGE, BUSYBOX_IMAGE_2]);
      mark('image', t);
    }
    mark('total', t0);
    return labHandle(names, nodes, imageId, timings, routed);
  } catch (err) {
    await releaseLab(names);
    throw err;
  }
}

async function buildNetwork(names: LabNames): Promise<void> {
  await privateLabDir(names);
  writeFileSync(join(names.dir, 'state.json'), JSON.stringify(names, null, 2));
  await createBridge(names);
  await Promise.all(
    names.nodes.map(async (n) => {
      await createNodeNetwork(names, n);
      await pinNamespaces(names, n);
    }),
  );
}

function labHandle(names: LabNames, nodes: ManagedNode[], imageId: string | undefined, timings: Record<string, number>, routed: { on: boolean }): Lab {
  const relays: Relay[] = [];
  const keep = (r: Relay) => {
    relays.push(r);
    return r;
  };
  let stopping: Promise<void> | undefined;
  return {
    name: names.name,
    dir: names.dir,
    subnet: names.subnet,
    gatewayIp: names.gatewayIp,
    bridgeNetns: names.bridgeNetns,
    clusterCidr: CLUSTER_CIDR,
    nodes,
    imageId,
    timings,
    node(index) {
      const n = nodes[index - 1];
      if (!n) throw new Error(`the lab has nodes 1–${nodes.length}, not ${index}`);
      return n;
    },
    async routePods() {
      routed.on = true;
      await routePods(names, nodes);
    },
    execInBridge: (cmd, o) => exec(['nsenter', `--net=/run/netns/${names.bridgeNetns}`, '--', ...cmd], o),
    expose: async (loopbackPort, labPort, o) => keep(await exposeLoopback(names, loopbackPort, labPort ?? loopbackPort, o?.jitterMs)),
    forward: async (ip, port) => keep(await forwardToLab(names, ip, port)),
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled(relays.map((r) => r.close()));
        await Promise.allSettled(nodes.map((n) => n.kill())); // graceful first; the teardown is thorough
        await releaseLab(names);
      })();
      return stopping;
    },
  };
}
