// names: Bramble's iptables chain names. Fixed chains mirror kube-proxy's KUBE-* chains; per
// service port and per endpoint chains carry a hash, as kube-proxy's servicePortChainName does,
// so a name is stable across restarts and fits iptables' 28-character limit.
import { createHash } from 'node:crypto';

export const CHAIN_PREFIX = 'BRAMBLE-';
export const MAX_CHAIN_NAME = 28;

export const SERVICES = 'BRAMBLE-SERVICES'; // nat (portals) and filter (rejects)
export const NODEPORTS = 'BRAMBLE-NODEPORTS';
export const POSTROUTING = 'BRAMBLE-POSTROUTING';
export const MARK_MASQ = 'BRAMBLE-MARK-MASQ';
export const EXTERNAL_SERVICES = 'BRAMBLE-EXTERNAL-SERVICES'; // filter: external traffic without endpoints
export const FORWARD = 'BRAMBLE-FORWARD'; // filter, from DOCKER-USER: pod traffic between nodes

// MASQ_MARK is the packet mark that asks BRAMBLE-POSTROUTING to masquerade (kube-proxy's 0x4000).
export const MASQ_MARK = '0x4000';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// base32 encodes bytes as RFC 4648 base32 without padding.
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

// hash16 is the first 16 base32 characters of sha256(text): 80 bits, as in kube-proxy.
export function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

// servicePortKey names one service port: "ns/name:port/proto", port being its name or number.
export function servicePortKey(namespace: string, name: string, port: string | number, protocol: string): string {
  return `${namespace}/${name}:${port}/${protocol.toLowerCase()}`;
}

export const svcChain = (key: string) => `BRAMBLE-SVC-${hash16(key)}`;
export const extChain = (key: string) => `BRAMBLE-EXT-${hash16(key)}`; // NodePort / LB / external IP entry
export const svlChain = (key: string) => `BRAMBLE-SVL-${hash16(key)}`; // local endpoints only
export const sepChain = (key: string, endpoint: string) => `BRAMBLE-SEP-${hash16(`${key}->${endpoint}`)}`;
