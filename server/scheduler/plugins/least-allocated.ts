// least-allocated: prefer the node with the most cpu and memory left after placing the pod —
// Kubernetes' NodeResourcesFit score with the default LeastAllocated strategy: the average over cpu
// and memory of (allocatable - requested - pod) * 100 / allocatable, in integer steps. Requests use
// the non-zero defaults, so pods without requests still spread.
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';

/** leastRequested scores one resource; a resource the node lacks or that would be overcommitted
 * scores 0. The result is in 0..100, so `| 0` is Kubernetes' integer division (and cheaper than
 * Math.floor on this hot path). */
export function leastRequested(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return (((capacity - requested) * MAX_NODE_SCORE) / capacity) | 0;
}

export const leastAllocated = {
  name: 'LeastAllocated',
  weight: 1,
  score(_pod, podReq, nodeInfo) {
    const cap = nodeInfo.allocatable;
    const used = nodeInfo.nonZeroRequested;
    // A resource with no allocatable is left out of the average, as Kubernetes does.
    let sum = 0;
    let n = 0;
    if (cap.milliCPU > 0) {
      sum += leastRequested(used.milliCPU + podReq.nonZeroMilliCPU, cap.milliCPU);
      n++;
    }
    if (cap.memory > 0) {
      sum += leastRequested(used.memory + podReq.nonZeroMemory, cap.memory);
      n++;
    }
    return n === 0 ? 0 : (sum / n) | 0;
  },
} satisfies ScorePlugin;
