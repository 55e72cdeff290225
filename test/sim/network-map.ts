// network-map: the one thing a simulated agent does differently with what the server sends it.
// The network snapshot and change messages list every node (its pod subnet and addresses): a
// real agent keeps all of them and routes to every other node — O(N) state and a route sync per
// join on each Pi. N simulated agents in one process would do that N times over (5,000 agents ×
// 5,000 entries, a cluster.json rewrite each), work the simulator's machine pays and no Pi does.
// So each agent's ClusterView is handed the snapshot and the changes cut to its own node's entry
// (all a node with fake routes needs: its pod subnet), numbers and epochs intact, so its sync logic
// runs as on a Pi. Each payload is parsed once per process however many agents receive it. The
// server sees no difference: the same subscriptions, the same bytes delivered to every session.
import type { Link, LinkOptions } from '../../agent/link.js';
import type { NetworkChanges, NetworkSnapshot } from '../../shared/mqtt/payloads.js';
import { topics } from '../../shared/mqtt/topics.js';

/** SharedParse parses each recent payload once for every agent of the process (found by content). */
export class SharedParse {
  private recent = new Map<string, unknown>();

  parse(payload: Buffer): unknown {
    const key = payload.toString('latin1');
    if (this.recent.has(key)) return this.recent.get(key);
    let v: unknown;
    try {
      v = JSON.parse(payload.toString('utf8'));
    } catch {
      v = undefined;
    }
    this.recent.set(key, v);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value!);
    return v;
  }
}

const RECENT = 16;

/** ownEntryLink wraps openLink so the agent's cluster watchers see only their own node's network entry. */
export function ownEntryLink(open: (o: LinkOptions) => Promise<Link>, shared: SharedParse): (o: LinkOptions) => Promise<Link> {
  return async (o) => {
    const link = await open(o);
    const onCluster = link.onCluster.bind(link);
    link.onCluster = (cb) =>
      onCluster((topic, payload) => {
        if (topic !== topics.networkSnapshot && topic !== topics.networkChanges) return cb(topic, payload);
        const m = shared.parse(payload) as (NetworkSnapshot & NetworkChanges) | undefined;
        if (!m || typeof m !== 'object') return cb(topic, payload); // malformed: the agent's own check words it
        const own = (list: unknown) => (Array.isArray(list) ? list.filter((n) => n?.name === o.nodeName) : list);
        const cut = topic === topics.networkSnapshot ? { ...m, nodes: own(m.nodes) } : { ...m, changes: own(m.changes) };
        cb(topic, Buffer.from(JSON.stringify(cut)));
      });
    return link;
  };
}
