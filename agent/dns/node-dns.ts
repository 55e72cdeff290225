// node-dns: the agent's handle on its DNS server. It listens on the pod bridge's address (known
// once the node has its pod subnet) and answers from the latest cluster view; names outside the
// cluster go to the resolvers of the node's own /etc/resolv.conf.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Endpoints, Service } from '../../shared/api/service.js';
import { ClusterRecords } from './records.js';
import { upstreamsFromResolvConf } from './resolv-conf.js';
import { type DnsServer, startDnsServer } from './server.js';

export class NodeDns {
  private server: DnsServer | undefined;
  private host: string | undefined;
  private records = new ClusterRecords({ services: [], endpoints: [] });

  constructor(
    readonly port: number,
    private readonly logger: Logger,
    private readonly resolvConf = '/etc/resolv.conf',
  ) {}

  /** serve answers from these services and endpoints, listening on gateway:port. */
  async serve(gateway: string, services: Service[], endpoints: Endpoints[]): Promise<void> {
    this.records = new ClusterRecords({ services, endpoints });
    if (this.server && this.host === gateway) return;
    await this.close();
    this.server = await startDnsServer({ host: gateway, port: this.port, records: () => this.records, upstreams: this.upstreams(), logger: this.logger });
    this.host = gateway;
    this.logger.info({ address: `${gateway}:${this.port}` }, 'cluster DNS listening');
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.host = undefined;
    await s?.close();
  }

  private upstreams(): string[] {
    try {
      return upstreamsFromResolvConf(readFileSync(this.resolvConf, 'utf8'));
    } catch (e) {
      this.logger.warn({}, `cannot read ${this.resolvConf} (${(e as Error).message}); names outside the cluster will not resolve`);
      return [];
    }
  }
}
