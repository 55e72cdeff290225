// network-map: the one thing a simulated agent does differently with what the server sends it.
// The retained network map lists every node (its pod subnet and addresses) and reaches every
// node whenever a node joins or leaves. A real agent parses it, routes to every other node and
// saves it in cluster.json: O(N) on each Pi. N simulated agents in one process would do that N
// times over — 5,000 copies of a 5,000-node map, 5,000 cluster.json files rewritten per join —
// work the simulator's machine pays and no Pi does. So the map is parsed once per version for
// all agents of the process, and each agent's ClusterView is handed the map cut to its own entry
// (which is all a node with fake routes needs: its pod subnet), and only when that cut changed.
// The server sees no difference: the same subscription, the same bytes delivered to every MQTT
// session.
import type { Link, LinkOptions } from '../../agent/link.js';
import { isNetworkMap, type NetworkMap, type NetworkMapNode } from '../../shared/mqtt/payloads.js';
import { topics } from '../../shared/mqtt/topics.js';

/**
 * SharedNetworkMap parses each version of the map once, however many agents receive it. While
 * nodes join, versions follow each other faster than every session has delivered the last one, so
 * the newest few are kept; each is found by its length, then compared byte for byte.
 */
export class SharedNetworkMap {
  private recent: { raw: Buffer; parsed: Parsed | undefined }[] = [];

  /** forNode returns the map with only `node` in it, as a payload; undefined if it is malformed. */
  forNode(payload: Buffer, node: string): Buffer | undefined {
    let hit = this.recent.find((r) => r.raw.length === payload.length && r.raw.equals(payload));
    if (!hit) {
      hit = { raw: payload, parsed: parseMap(payload) };
      this.recent.unshift(hit);
      this.recent.length = Math.min(this.recent.length, RECENT);
    }
    if (!hit.parsed) return undefined;
    const own = hit.parsed.byName.get(node);
    return Buffer.from(JSON.stringify({ ...hit.parsed.map, nodes: own ? [own] : [] }));
  }
}

const RECENT = 8;

interface Parsed {
  map: NetworkMap;
  byName: Map<string, NetworkMapNode>;
}

function parseMap(payload: Buffer): Parsed | undefined {
  let m: unknown;
  try {
    m = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isNetworkMap(m)) return undefined;
  return { map: { ...m, nodes: [] }, byName: new Map(m.nodes.map((n) => [n.name, n])) };
}

/** trimmedLink wraps openLink so the agent's cluster watchers see the map cut to their node. */
export function trimmedLink(open: (o: LinkOptions) => Promise<Link>, shared: SharedNetworkMap): (o: LinkOptions) => Promise<Link> {
  return async (o) => {
    const link = await open(o);
    const onCluster = link.onCluster.bind(link);
    let last: Buffer | undefined; // the cut this agent was handed last
    link.onCluster = (cb) =>
      onCluster((topic, payload) => {
        if (topic !== topics.networkMap) return cb(topic, payload);
        const cut = shared.forNode(payload, o.nodeName);
        if (!cut) return cb(topic, payload); // malformed: the agent's own check words it
        if (last?.equals(cut)) return; // another node joined or left: nothing for this one
        last = cut;
        cb(topic, cut);
      });
    return link;
  };
}
