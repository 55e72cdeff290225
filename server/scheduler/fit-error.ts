// fit-error: the "why not" message of an unschedulable pod, in Kubernetes' exact FitError format,
// e.g. "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient memory." — shown in
// FailedScheduling events and the PodScheduled condition.

/** NO_NODES_MESSAGE is Kubernetes' ErrNoNodesAvailable, used when the snapshot holds no node at all. */
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

/** fitErrorMessage counts each reason once per node that gave it. Like Kubernetes it sorts the
 * whole "<count> <reason>" strings, so the order is by count's first digit, then reason text. */
export function fitErrorMessage(numNodes: number, reasons: ReadonlyMap<string, number>): string {
  const parts: string[] = [];
  for (const [reason, n] of reasons) parts.push(`${n} ${reason}`);
  // Go's sort.Strings compares bytes; for the ASCII texts used here that is UTF-16 code unit order.
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let msg = `0/${numNodes} nodes are available:`;
  if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  return msg;
}
