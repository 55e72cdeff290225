// pod-requests: what a pod asks the scheduler for, computed once per pod. Mirrors Kubernetes'
// resourcehelper.PodRequests: containers add up, each init container runs alone so the pod needs the
// larger of the two, and spec.overhead is added on top.
import type { Container, Pod, ResourceList } from '../../shared/api/core.js';
import { bytes, milliCPU } from '../../shared/quantity.js';
import type { PodRequests } from './framework.js';
import { spreadKey } from './spread-key.js';

/** DEFAULT_MILLI_CPU and DEFAULT_MEMORY stand in for a missing request when scoring (Kubernetes'
 * DefaultMilliCPURequest / DefaultMemoryRequest), so best-effort pods are not all "free". */
export const DEFAULT_MILLI_CPU = 100;
export const DEFAULT_MEMORY = 200 * 1024 * 1024;

/** request reads one resource; a missing request falls back to the limit, as API defaulting does. */
function request(c: Container, resource: 'cpu' | 'memory'): string | undefined {
  return c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
}

interface Sum {
  cpu: number;
  mem: number;
  nzCpu: number;
  nzMem: number;
}

function containerSum(c: Container): Sum {
  const cpu = request(c, 'cpu');
  const mem = request(c, 'memory');
  return {
    cpu: milliCPU(cpu),
    mem: bytes(mem),
    nzCpu: cpu === undefined ? DEFAULT_MILLI_CPU : milliCPU(cpu),
    nzMem: mem === undefined ? DEFAULT_MEMORY : bytes(mem),
  };
}

/** podRequests sums a pod's container requests, takes the max with each init container and adds
 * spec.overhead. Sidecar (restartable) init containers are treated like plain init containers. */
export function podRequests(pod: Pod): PodRequests {
  const total: Sum = { cpu: 0, mem: 0, nzCpu: 0, nzMem: 0 };
  for (const c of pod.spec.containers ?? []) {
    const s = containerSum(c);
    total.cpu += s.cpu;
    total.mem += s.mem;
    total.nzCpu += s.nzCpu;
    total.nzMem += s.nzMem;
  }
  for (const c of pod.spec.initContainers ?? []) {
    const s = containerSum(c);
    total.cpu = Math.max(total.cpu, s.cpu);
    total.mem = Math.max(total.mem, s.mem);
    total.nzCpu = Math.max(total.nzCpu, s.nzCpu);
    total.nzMem = Math.max(total.nzMem, s.nzMem);
  }
  const overhead: ResourceList | undefined = pod.spec.overhead;
  const oCpu = milliCPU(overhead?.cpu);
  const oMem = bytes(overhead?.memory);
  return {
    milliCPU: total.cpu + oCpu,
    memory: total.mem + oMem,
    nonZeroMilliCPU: total.nzCpu + oCpu,
    nonZeroMemory: total.nzMem + oMem,
    spreadKey: spreadKey(pod),
  };
}
