// pod-cidr-logic: the pure half of pod CIDR allocation — a set of the /24s (or smaller, never
// larger than the cluster range) of the cluster CIDR, as Kubernetes' cidrset. allocate() hands out
// the next free range after the last one given, wrapping around, so a range freed by a deleted
// node is reused as late as possible (routes and conntrack entries for it have time to go).
import { type Cidr, cidrContains, formatCidr, ipToInt, parseCidr } from '../../shared/net/cidr.js';

export const NODE_MASK_SIZE = 24;

/** checkNodeMask throws a readable error unless each node's range of the cluster CIDR can have that prefix length. */
export function checkNodeMask(clusterCidr: string, nodeMaskSize: number): void {
  const cluster = parseCidr(clusterCidr);
  if (!Number.isInteger(nodeMaskSize) || nodeMaskSize > 30 || nodeMaskSize < cluster.bits) {
    throw new Error(`--node-cidr-mask-size ${nodeMaskSize} does not fit --cluster-cidr ${clusterCidr}: give a prefix length from ${cluster.bits} to 30`);
  }
}

export class CidrSet {
  private readonly cluster: Cidr;
  private readonly bits: number;
  private readonly used: Uint8Array;
  private next = 0;

  constructor(clusterCidr: string, nodeMaskSize = NODE_MASK_SIZE) {
    this.cluster = parseCidr(clusterCidr);
    this.bits = Math.max(nodeMaskSize, this.cluster.bits);
    this.used = new Uint8Array(2 ** (this.bits - this.cluster.bits));
  }

  get size(): number {
    return this.used.length;
  }

  /** allocate returns the next free range, or undefined when the cluster CIDR is full. */
  allocate(): string | undefined {
    for (let i = 0; i < this.used.length; i++) {
      const n = (this.next + i) % this.used.length;
      if (this.used[n]) continue;
      this.used[n] = 1;
      this.next = (n + 1) % this.used.length;
      return formatCidr({ base: this.cluster.base + n * 2 ** (32 - this.bits), bits: this.bits });
    }
    return undefined;
  }

  /** occupy marks a range as taken; false when it is not one of this set's ranges or already taken. */
  occupy(cidr: string): boolean {
    const n = this.indexOf(cidr);
    if (n === undefined || this.used[n]) return false;
    this.used[n] = 1;
    return true;
  }

  release(cidr: string): void {
    const n = this.indexOf(cidr);
    if (n !== undefined) this.used[n] = 0;
  }

  private indexOf(cidr: string): number | undefined {
    const [ip, bits] = cidr.split('/');
    const base = ipToInt(ip);
    if (base === undefined || Number(bits) !== this.bits || !cidrContains(this.cluster, base)) return undefined;
    const offset = base - this.cluster.base;
    const size = 2 ** (32 - this.bits);
    return offset % size === 0 ? offset / size : undefined;
  }
}

/** nodePodCidr is the range a Node already has (spec.podCIDR, else the first of spec.podCIDRs). */
export function nodePodCidr(spec: { podCIDR?: string; podCIDRs?: string[] } | undefined): string | undefined {
  return spec?.podCIDR || spec?.podCIDRs?.[0] || undefined;
}
