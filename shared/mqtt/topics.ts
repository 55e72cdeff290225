// topics: every MQTT topic between agents and the server, versioned. A node may publish and
// subscribe only below its own prefix (bramble/v1/nodes/<node>/…); the server may do everything.
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
export const TOPIC_VERSION = 'v1';
export const ROOT = `bramble/${TOPIC_VERSION}/nodes`;

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
};

/** nodeOfTopic returns the node a topic belongs to, or undefined if it is not a node topic. */
export function nodeOfTopic(topic: string): string | undefined {
  if (!topic.startsWith(`${ROOT}/`)) return undefined;
  const node = topic.slice(ROOT.length + 1).split('/')[0];
  return node || undefined;
}

/**
 * nodeMayAccess is the per-node ACL: a node publishes and subscribes only within its own subtree.
 * Node names are DNS names (no '+' or '#'), so a wildcard can only appear below the prefix.
 */
export function nodeMayAccess(node: string, topic: string): boolean {
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(node) && topic.startsWith(`${ROOT}/${node}/`);
}
