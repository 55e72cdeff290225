// pod-network: what a CNI like flannel host-gw would do, for tests that need pods on different
// nodes to talk before Bramble does it itself. Node i's pods live in 10.244.i.0/24 on its
// docker0; every node routes the other pod subnets to their node's lab address.
import { CLUSTER_CIDR, type LabNames } from './names.js';
import type { LabNode } from './node.js';
import { sh } from './proc.js';

export async function routePods(lab: LabNames, nodes: LabNode[]): Promise<void> {
  for (const n of nodes) {
    for (const other of nodes) if (other !== n) await n.addRoute(other.podCidr, other.ip);
    await applyPodFirewall(n);
  }
  // the bridge namespace too, so Lab.forward() reaches pod IPs
  await sh(nodes.map((n) => `ip -n ${lab.bridgeNetns} route replace ${n.podCidr} via ${n.ip}`).join('\n'));
}

// applyPodFirewall accepts cluster traffic in DOCKER-USER (dockerd turns the FORWARD policy to
// DROP when it had to switch on forwarding, and keeps DOCKER-USER across restarts) and keeps pod
// source IPs towards other pods with a POSTROUTING RETURN above Docker's MASQUERADE (dockerd
// re-inserts its rule at every start, so this runs again after each engine start).
export async function applyPodFirewall(node: LabNode): Promise<void> {
  const ipt = `nsenter --net=/run/netns/${node.netns} iptables -w`;
  const accept = (rule: string) => `${ipt} -C DOCKER-USER ${rule} 2>/dev/null || ${ipt} -I DOCKER-USER 1 ${rule}`;
  const keepSource = `-s ${node.podCidr} -d ${CLUSTER_CIDR} -j RETURN`;
  await sh(
    [
      accept(`-s ${CLUSTER_CIDR} -j ACCEPT`),
      accept(`-d ${CLUSTER_CIDR} -j ACCEPT`),
      `${ipt} -t nat -D POSTROUTING ${keepSource} 2>/dev/null || true`, // back to the top, above Docker's rule
      `${ipt} -t nat -I POSTROUTING 1 ${keepSource}`,
    ].join('\n'),
  );
}
