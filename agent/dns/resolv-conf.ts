// resolv-conf: the /etc/resolv.conf a pod gets (cluster search path first, as the kubelet writes
// it for dnsPolicy ClusterFirst), and the upstreams read from the node's own. Pure: the caller
// reads and writes the files.
import { isIPv4 } from './names.js';
import { DEFAULT_DOMAIN } from './records.js';

// The kubelet's limits (MaxDNSSearchPaths, MaxDNSSearchListChars); beyond them resolvers may
// ignore the line, so the host's extra domains are cut instead.
const MAX_SEARCH_PATHS = 32;
const MAX_SEARCH_CHARS = 2048;

export interface PodResolvConfOptions {
  nameserver: string;
  namespace: string;
  domain?: string; // default cluster.local
  hostSearches?: string[]; // the node's search domains, appended after the cluster's
  ndots?: number; // default 5: "svc.ns" and "svc.ns.svc" try the search list before the root
}

export function podResolvConf(o: PodResolvConfOptions): string {
  const domain = clean(o.domain ?? DEFAULT_DOMAIN);
  const search: string[] = [];
  let chars = -1; // the joining spaces count, the first has none
  for (const s of [`${o.namespace}.svc.${domain}`, `svc.${domain}`, domain, ...(o.hostSearches ?? []).map(clean)]) {
    if (!s || search.includes(s) || search.length >= MAX_SEARCH_PATHS || chars + 1 + s.length > MAX_SEARCH_CHARS) continue;
    search.push(s);
    chars += 1 + s.length;
  }
  return `nameserver ${o.nameserver}\nsearch ${search.join(' ')}\noptions ndots:${o.ndots ?? 5}\n`;
}

// upstreamsFromResolvConf lists the IPv4 nameservers of a resolv.conf text, in order, once each.
// The agent forwards over udp4/tcp to these; IPv6 ones are skipped.
export function upstreamsFromResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const [keyword, address] = line.trim().split(/\s+/);
    if (keyword === 'nameserver' && address && isIPv4(address) && !out.includes(address)) out.push(address);
  }
  return out;
}

const clean = (domain: string) => domain.trim().toLowerCase().replace(/\.+$/, '');
