// network-map: the one thing a simulated agent does differently with what the server sends it.
// Every node's network entry (its pod subnet and addresses) is retained on its own topic and
// reaches every node: a real agent keeps all of them and routes to every other node — O(N) state
// and one route sync per join on each Pi. N simulated agents in one process would do that N times
// over (5,000 agents × 5,000 entries, a cluster.json rewrite each), work the simulator's machine
// pays and no Pi does. So each agent's ClusterView sees only its own node's entry (all a node with
// fake routes needs: its pod subnet) and the NetworkConfig. The server sees no difference: the same
// subscriptions, the same bytes delivered to every MQTT session.
import type { Link, LinkOptions } from '../../agent/link.js';
import { nodeOfNetworkTopic } from '../../shared/mqtt/topics.js';

/** ownEntryLink wraps openLink so the agent's cluster watchers see only their own node's network entry. */
export function ownEntryLink(open: (o: LinkOptions) => Promise<Link>): (o: LinkOptions) => Promise<Link> {
  return async (o) => {
    const link = await open(o);
    const onCluster = link.onCluster.bind(link);
    link.onCluster = (cb) =>
      onCluster((topic, payload) => {
        const node = nodeOfNetworkTopic(topic);
        if (node !== undefined && node !== o.nodeName) return;
        cb(topic, payload);
      });
    return link;
  };
}
