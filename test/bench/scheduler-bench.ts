// scheduler-bench: how many pods per second the scheduler places, one by one with assume(), on a
// snapshot of identical Ready nodes. Returns figures; the bench runner prints them.
import { performance } from 'node:perf_hooks';
import { assume, buildSnapshot, podRequests, schedule } from '../../server/scheduler/index.js';
import { makeNode, makePod } from '../../server/scheduler/testing.js';

/** REPLICA_SETS is how many owners the pods belong to, so the spread score has real work. */
const REPLICA_SETS = 5;

/** benchScheduler times scheduling `pods` pods (100m / 128Mi each) onto `nodes` nodes (4 cpu, 8Gi,
 * 110 pods) with the default profile. Building the objects and the snapshot is not timed; each
 * pod's podRequests, schedule and assume are. Pods that fit nowhere (more pods than capacity) still
 * count: the scheduler did the work to say so. */
export async function benchScheduler(opts: { nodes: number; pods: number }): Promise<{
  nodes: number;
  pods: number;
  seconds: number;
  podsPerSecond: number;
}> {
  const labels = { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' };
  const nodes = Array.from({ length: opts.nodes }, (_, i) => makeNode(`node-${i}`, { labels }));
  const pods = Array.from({ length: opts.pods }, (_, i) => {
    const rs = `web-${i % REPLICA_SETS}`;
    return makePod(`${rs}-${i.toString(36)}`, { cpu: '100m', memory: '128Mi', labels: { app: rs }, owner: rs });
  });
  const snapshot = buildSnapshot(nodes, []);
  const start = performance.now();
  for (const pod of pods) {
    const req = podRequests(pod);
    const result = schedule(pod, snapshot, undefined, req);
    if (result.ok) assume(snapshot, pod, result.nodeName, req);
  }
  const seconds = (performance.now() - start) / 1000;
  return { nodes: opts.nodes, pods: opts.pods, seconds, podsPerSecond: seconds > 0 ? opts.pods / seconds : 0 };
}
