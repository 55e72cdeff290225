// resources-fit: the pod's cpu and memory requests must fit in what the node has left, and the node
// must have room for one more pod — Kubernetes' NodeResourcesFit filter. A node can fail on several
// resources at once; each counts in the "0/N nodes are available" message.
import { FITS, type FilterPlugin, type FilterResult, reject } from '../framework.js';

export const ERR_TOO_MANY_PODS = 'Too many pods';
export const ERR_INSUFFICIENT_CPU = 'Insufficient cpu';
export const ERR_INSUFFICIENT_MEMORY = 'Insufficient memory';

const PODS = 4;
const CPU = 2;
const MEMORY = 1;

// REJECTIONS holds every combination of failures, indexed by bit mask, so a rejection allocates
// nothing. Reasons are in Kubernetes' order: pods, cpu, memory.
const REJECTIONS: FilterResult[] = [FITS];
for (let mask = 1; mask < 8; mask++) {
  const reasons: string[] = [];
  if (mask & PODS) reasons.push(ERR_TOO_MANY_PODS);
  if (mask & CPU) reasons.push(ERR_INSUFFICIENT_CPU);
  if (mask & MEMORY) reasons.push(ERR_INSUFFICIENT_MEMORY);
  REJECTIONS.push(reject(reasons[0], ...reasons.slice(1)));
}

export const resourcesFit = {
  name: 'NodeResourcesFit',
  filter(_pod, podReq, nodeInfo) {
    const free = nodeInfo.allocatable;
    const used = nodeInfo.requested;
    let mask = 0;
    if (used.pods + 1 > free.pods) mask |= PODS;
    // A zero request always fits, even on an overcommitted node, as in Kubernetes.
    if (podReq.milliCPU > 0 && podReq.milliCPU > free.milliCPU - used.milliCPU) mask |= CPU;
    if (podReq.memory > 0 && podReq.memory > free.memory - used.memory) mask |= MEMORY;
    return REJECTIONS[mask];
  },
} satisfies FilterPlugin;
