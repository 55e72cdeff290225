// network: the lab's links. A bridge lives in its own namespace (<lab>-br); each node namespace
// gets a veth whose bridge end is created inside the bridge namespace, so the root namespace's
// links, routes and iptables are never touched. Nodes route everything else to the bridge
// namespace, which has no way out: no packet leaves the lab.
import type { LabNames, NodeNames } from './names.js';
import { exec, sh } from './proc.js';

export const BRIDGE = 'br-lab';

export async function createBridge(lab: LabNames): Promise<void> {
  const br = lab.bridgeNetns;
  await sh(`
    ip netns add ${br}
    ip -n ${br} link set lo up
    ip -n ${br} link add ${BRIDGE} type bridge
    ip -n ${br} addr add ${lab.gatewayIp}/24 dev ${BRIDGE}
    ip -n ${br} link set ${BRIDGE} up
    nsenter --net=/run/netns/${br} sysctl -qw net.ipv4.ip_forward=1`);
  // Forwarding on but no default route: a packet for the outside world gets an immediate
  // "network unreachable" instead of vanishing, so escapes fail fast and visibly.
}

export async function createNodeNetwork(lab: LabNames, node: NodeNames): Promise<void> {
  const br = lab.bridgeNetns;
  const ns = node.netns;
  await sh(`
    ip netns add ${ns}
    ip -n ${ns} link set lo up
    ip -n ${br} link add ${node.veth} type veth peer name eth0 netns ${ns}
    ip -n ${br} link set ${node.veth} master ${BRIDGE} up
    ip -n ${ns} addr add ${node.ip}/24 dev eth0
    ip -n ${ns} link set eth0 up
    ip -n ${ns} route add default via ${lab.gatewayIp}
    nsenter --net=/run/netns/${ns} sysctl -qw net.ipv4.ip_forward=1`);
}

// setLink switches the bridge end of a node's cable: 'down' cuts the node off the lab.
export async function setLink(lab: LabNames, node: NodeNames, state: 'up' | 'down'): Promise<void> {
  await sh(`ip -n ${lab.bridgeNetns} link set ${node.veth} ${state}`);
}

// shape applies netem (e.g. "delay 50ms 100ms loss 20%") to the node's eth0, or removes it.
// Some kernels (this machine's among them) are built without netem; loss() works everywhere.
export async function shape(node: NodeNames, netem: string | null): Promise<void> {
  const tc = `nsenter --net=/run/netns/${node.netns} tc qdisc`;
  if (!netem) return void (await sh(`${tc} del dev eth0 root 2>/dev/null || true`));
  const r = await exec(['sh', '-c', `${tc} replace dev eth0 root netem ${netem}`]);
  if (r.code !== 0) throw new Error(`netem on ${node.name}: ${r.stderr.trim()}${/unknown/i.test(r.stderr) ? ' (this kernel has no netem; use loss())' : ''}`);
}

// loss drops the given share (0–1) of the packets entering and leaving the node's eth0, with
// iptables' statistic match in a chain of the node's own mangle table; null ends it.
export async function loss(node: NodeNames, probability: number | null): Promise<void> {
  const ipt = `nsenter --net=/run/netns/${node.netns} iptables -w -t mangle`;
  const hook = (rule: string) => `${ipt} -C ${rule} 2>/dev/null || ${ipt} -I ${rule}`;
  const lines = [`${ipt} -N LAB-LOSS 2>/dev/null || ${ipt} -F LAB-LOSS`, hook('PREROUTING -i eth0 -j LAB-LOSS'), hook('POSTROUTING -o eth0 -j LAB-LOSS')];
  if (probability !== null) {
    if (!(probability >= 0 && probability <= 1)) throw new Error(`loss is a probability in 0–1, not ${probability}`);
    lines.push(`${ipt} -A LAB-LOSS -m statistic --mode random --probability ${probability} -j DROP`);
  }
  await sh(lines.join('\n'));
}
