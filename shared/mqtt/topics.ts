// topics: every MQTT topic between agents and the server, versioned. A node may publish and
// subscribe below its own prefix (bramble/v1/nodes/<node>/…) and may only subscribe to the
// cluster-wide topics (bramble/v1/cluster/…), which the server alone publishes; the server may
// do everything.
//
//   agent → server   …/state          "online" | "offline" (last will) | "shutdown" (clean stop)
//   agent → server   …/heartbeat      Heartbeat, every few seconds
//   agent → server   …/status         NodeReport (capacity, conditions, board), on change
//   agent → server   …/pods           PodStatusReport, on change
//   agent → server   …/events         EventReport (image pulls, back-off, …)
//   server → agent   …/desired        DesiredState, retained: a reconnecting agent gets it at once
//   server → agent   …/logs/req       LogRequest
//   agent → server   …/logs/<id>      LogChunk (stream of a LogRequest)
//   server → agent   …/logs/<id>/stop the reader went away
//
//   server → agents  bramble/v1/cluster/services/<namespace>/<name>
//                                     ServiceState, retained, one topic per Service; an empty
//                                     payload clears it (the service was deleted)
//   server → agents  bramble/v1/cluster/network/snapshot
//                                     NetworkSnapshot (every node's pod CIDR and addresses, the
//                                     cluster CIDR), retained; an agent subscribes to it only to
//                                     read it (after a connect, or when it missed a change) and
//                                     unsubscribes at once, so republishing it reaches nobody
//   server → agents  bramble/v1/cluster/network/changes
//                                     NetworkChanges (nodes added, changed, deleted), numbered,
//                                     not retained
//                                     Why two: a join must send every agent one small message, not
//                                     the whole list (O(N) bytes per join, not O(N²)); and a
//                                     connect must be one message, not one per node (5,000
//                                     retained entries to each of 5,000 connecting agents kept the
//                                     broker busy for many minutes).
export const TOPIC_VERSION = 'v1';
export const ROOT = `bramble/${TOPIC_VERSION}/nodes`;
/** CLUSTER_ROOT: the cluster-wide topics, published by the server only, readable by every node. */
export const CLUSTER_ROOT = `bramble/${TOPIC_VERSION}/cluster`;

export const topics = {
  prefix: (node: string) => `${ROOT}/${node}`,
  state: (node: string) => `${ROOT}/${node}/state`,
  heartbeat: (node: string) => `${ROOT}/${node}/heartbeat`,
  status: (node: string) => `${ROOT}/${node}/status`,
  pods: (node: string) => `${ROOT}/${node}/pods`,
  events: (node: string) => `${ROOT}/${node}/events`,
  desired: (node: string) => `${ROOT}/${node}/desired`,
  logRequest: (node: string) => `${ROOT}/${node}/logs/req`,
  logChunk: (node: string, id: string) => `${ROOT}/${node}/logs/${id}`,
  logStop: (node: string, id: string) => `${ROOT}/${node}/logs/${id}/stop`,
  /** service: the retained ServiceState of one Service. */
  service: (namespace: string, name: string) => `${CLUSTER_ROOT}/services/${namespace}/${name}`,
  /** services: the subscription pattern matching every service topic. */
  services: `${CLUSTER_ROOT}/services/#`,
  /** networkSnapshot: the retained NetworkSnapshot, read once per need (see above). */
  networkSnapshot: `${CLUSTER_ROOT}/network/snapshot`,
  /** networkChanges: the stream of NetworkChanges. */
  networkChanges: `${CLUSTER_ROOT}/network/changes`,
};

/** clusterSubscriptions: what an agent subscribes to for as long as it is connected (not the snapshot). */
export const clusterSubscriptions = [`${CLUSTER_ROOT}/services/+/+`, topics.networkChanges];

/** serviceOfTopic returns the Service a topics.service() topic names, or undefined. */
export function serviceOfTopic(topic: string): { namespace: string; name: string } | undefined {
  const prefix = `${CLUSTER_ROOT}/services/`;
  if (!topic.startsWith(prefix)) return undefined;
  const parts = topic.slice(prefix.length).split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** nodeOfTopic returns the node a topic belongs to, or undefined if it is not a node topic. */
export function nodeOfTopic(topic: string): string | undefined {
  if (!topic.startsWith(`${ROOT}/`)) return undefined;
  const node = topic.slice(ROOT.length + 1).split('/')[0];
  return node || undefined;
}

/**
 * nodeMayAccess is the per-node ACL for publishing: a node publishes only within its own subtree
 * (and subscribes there too, see nodeMaySubscribe). Node names are DNS names (no '+' or '#'), so a wildcard can only appear below the prefix.
 */
export function nodeMayAccess(node: string, topic: string): boolean {
  return validNodeName(node) && topic.startsWith(`${ROOT}/${node}/`);
}

/**
 * nodeMaySubscribe is the per-node ACL for subscriptions: the node's own subtree (nodeMayAccess),
 * plus any topic or pattern strictly below bramble/v1/cluster/ (e.g. bramble/v1/cluster/# or
 * bramble/v1/cluster/services/+/+). The prefix itself is matched literally, so a wildcard can only
 * stand below it; publishing there stays refused (publishes are checked with nodeMayAccess).
 */
export function nodeMaySubscribe(node: string, topic: string): boolean {
  if (nodeMayAccess(node, topic)) return true;
  const prefix = `${CLUSTER_ROOT}/`;
  return validNodeName(node) && topic.length > prefix.length && topic.startsWith(prefix);
}

function validNodeName(node: string): boolean {
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(node);
}
