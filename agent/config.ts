// config: every setting of `bramble agent`, each a flag, a BRAMBLE_* variable and a config key
// (see shared/options.ts). agentConfig checks what a typo would otherwise turn into a confusing
// failure minutes later (a plain-http server URL, an invalid node name).
import { readFileSync } from 'node:fs';
import { hostname, type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { parseCidr } from '../shared/net/cidr.js';
import { type OptionDef, type OptionValues, UsageError } from '../shared/options.js';

export const AGENT_OPTIONS: OptionDef[] = [
  { name: 'server', type: 'string', default: '', help: "URL of the bramble server's API, e.g. https://pi-0.local:6443", category: 'Joining' },
  { name: 'token', type: 'string', default: '', help: 'join token from `bramble token create` (K10<hash>::<id>.<secret>); only needed until the node has joined', category: 'Joining' },
  { name: 'token-file', type: 'string', default: '', help: 'read the join token from this file instead', category: 'Joining' },
  { name: 'data-dir', type: 'string', default: '/var/lib/bramble/agent', help: 'where credentials, the cluster CA and the last desired state live', category: 'General' },
  { name: 'node-name', type: 'string', default: hostname().toLowerCase(), help: 'name of this node in the cluster', category: 'General' },
  { name: 'log-level', type: 'string', default: 'info', help: 'trace, debug, info, warn or error', category: 'General' },
  { name: 'node-ip', type: 'string', default: '', help: "this node's address for other nodes (default: the first non-internal IPv4)", category: 'Node' },
  { name: 'node-label', type: 'list', default: [], help: 'extra labels for this node, key=value (comma-separated)', category: 'Node' },
  { name: 'docker-host', type: 'string', default: 'unix:///var/run/docker.sock', help: 'Docker engine to run containers with', category: 'Runtime' },
  // heartbeat-interval: 1s. The server marks a node NotReady after 3s without a heartbeat (its
  // --node-monitor-grace-period, stretched for links it has seen to be lossy). When a steady link
  // starts losing packets, the first heartbeat TCP has to retransmit arrives late by 0.2, 0.6,
  // 1.4, 3 s after 1, 2, 3, 4 losses in a row: with 1 s between heartbeats it takes 4 losses (0.8 %
  // at 20 % loss) to overrun 3 s before the server has seen the link change, with 2 s only 3 (4 %).
  {
    name: 'heartbeat-interval',
    type: 'duration',
    default: '1s',
    help: 'how often the agent tells the server it is alive; keep it below the server\'s 3s grace period so a dead node is noticed within 3s',
    category: 'Server link',
  },
  { name: 'status-interval', type: 'duration', default: '10s', help: 'how often node facts (memory, disk, temperature) are sampled; changes are sent at once', category: 'Server link' },
  { name: 'pod-cidr', type: 'string', default: '', help: 'pod subnet of this node; leave empty to use the one the server assigns (spec.podCIDR)', category: 'Networking' },
  // 10053, not 53: a Pi often runs a resolver of its own on :53 (dnsmasq, systemd-resolved) and
  // avahi on 5353; pods never see this port, the cluster DNS IP's :53 is DNATed to it.
  { name: 'dns-port', type: 'number', default: 10053, help: "port of this node's cluster DNS server, on the pod bridge address", category: 'Networking' },
];

export interface AgentConfig {
  server: string;
  token: string;
  tokenFile: string;
  dataDir: string;
  nodeName: string;
  logLevel: string;
  nodeIp: string;
  nodeLabel: string[];
  dockerHost: string;
  heartbeatInterval: number;
  statusInterval: number;
  podCidr: string;
  dnsPort: number;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** agentConfig validates resolved options; a bad value is a UsageError of one line. */
export function agentConfig(v: OptionValues): AgentConfig {
  const cfg = { ...v } as AgentConfig;
  if (cfg.server) {
    let url: URL;
    try {
      url = new URL(cfg.server);
    } catch {
      throw new UsageError(`--server: "${cfg.server}" is not a URL (expected e.g. https://pi-0.local:6443)`);
    }
    if (url.protocol !== 'https:') throw new UsageError(`--server must be an https:// URL, got "${cfg.server}"`);
    cfg.server = url.origin;
  }
  if (!DNS_SUBDOMAIN.test(cfg.nodeName) || cfg.nodeName.length > 253) {
    throw new UsageError(`--node-name "${cfg.nodeName}" is not a valid node name (lowercase letters, digits, '-' and '.')`);
  }
  if (!cfg.token && cfg.tokenFile) {
    try {
      cfg.token = readFileSync(cfg.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`cannot read --token-file ${cfg.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  cfg.token = cfg.token.trim();
  parseNodeLabels(cfg.nodeLabel);
  if (cfg.podCidr) {
    try {
      parseCidr(cfg.podCidr);
    } catch {
      throw new UsageError(`--pod-cidr "${cfg.podCidr}" is not an IPv4 CIDR (e.g. 10.42.3.0/24)`);
    }
  }
  if (cfg.heartbeatInterval <= 0) throw new UsageError('--heartbeat-interval must be positive');
  if (!cfg.nodeIp) cfg.nodeIp = detectNodeIp(networkInterfaces()) ?? '127.0.0.1';
  return cfg;
}

/** parseNodeLabels turns ["zone=attic", "ssd=true"] into a label map. */
export function parseNodeLabels(items: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value) || value.length > 63) {
      throw new UsageError(`--node-label "${item}" is not a valid label (expected key=value)`);
    }
    labels[key] = value;
  }
  return labels;
}

// VIRTUAL: interfaces created by container engines and overlays; their addresses are not how
// other nodes reach this one.
const VIRTUAL = /^(docker|br-|veth|cni|flannel|virbr|bramble|tun|tap|wg)/;

/** detectNodeIp picks the first non-internal IPv4 of a physical-looking interface. */
export function detectNodeIp(ifaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string | undefined {
  for (const [name, addrs] of Object.entries(ifaces)) {
    if (VIRTUAL.test(name)) continue;
    const a = addrs?.find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  return undefined;
}
