// fake-network: address allocation for the fake runtime's bridge networks, deterministic like
// Docker's: the next free address after the last one handed out, skipping the gateway.
import { type Cidr, cidrContains, cidrSize, intToIp, ipToInt, parseCidr } from '../../shared/net/cidr.js';

export class FakeNetwork {
  readonly cidr: Cidr;
  readonly gateway: number;
  private used = new Set<number>();
  private next: number;

  constructor(
    readonly name: string,
    readonly subnet: string,
    gateway?: string,
    /** userDefined: Docker accepts fixed addresses only on networks someone created. */
    readonly userDefined = true,
  ) {
    this.cidr = parseCidr(subnet);
    this.gateway = gateway ? (ipToInt(gateway) ?? this.cidr.base + 1) : this.cidr.base + 1;
    this.next = this.cidr.base + 1;
  }

  /** allocate hands out the given address or the next free one; errors read like Docker's. */
  allocate(fixed?: string): string {
    if (fixed) {
      const n = ipToInt(fixed);
      if (n === undefined || !cidrContains(this.cidr, n)) {
        throw new Error(`no configured subnet or ip-range contain the IP address ${fixed}`);
      }
      if (this.used.has(n) || n === this.gateway) throw new Error(`Address already in use: ${fixed}`);
      this.used.add(n);
      return fixed;
    }
    const size = cidrSize(this.cidr);
    for (let k = 0; k < size; k++) {
      const n = this.cidr.base + ((this.next - this.cidr.base + k) % size);
      const edge = n === this.cidr.base || n === this.cidr.base + size - 1;
      if (edge || n === this.gateway || this.used.has(n)) continue;
      this.used.add(n);
      this.next = n + 1;
      return intToIp(n);
    }
    throw new Error(`no available IPv4 addresses on network ${this.name}`);
  }

  /** inUse: some container holds an address on it. */
  get inUse(): boolean {
    return this.used.size > 0;
  }

  release(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined) this.used.delete(n);
  }
}
