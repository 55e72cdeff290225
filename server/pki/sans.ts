// sans: which names the API server's certificate must carry so that kubectl and the agents can
// reach it by any of the machine's names or addresses.
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { normalizeSan } from './certs.js';

export interface SanOptions {
  hostnames?: string[];
  ips?: string[];
}

/** HostView is the part of the machine neededSans reads; tests pass their own. */
export interface HostView {
  hostname: string;
  interfaces: NodeJS.Dict<{ address: string; internal: boolean }[]>;
}

export const LOOPBACK_SANS = ['localhost', '127.0.0.1', '::1'];

/** neededSans is the sorted, de-duplicated SAN list: hostname, every non-internal interface
 *  address, loopback, and whatever the operator added. */
export function neededSans(opts: SanOptions, host: HostView = currentHost()): string[] {
  const names = new Set<string>();
  const add = (s: string) => {
    const v = s.trim();
    if (v) names.add(normalizeSan(v));
  };
  add(host.hostname);
  for (const addrs of Object.values(host.interfaces)) {
    for (const a of addrs ?? []) if (!a.internal && isIP(a.address)) add(a.address);
  }
  LOOPBACK_SANS.forEach(add);
  opts.hostnames?.forEach(add);
  opts.ips?.forEach((ip) => {
    if (!isIP(ip.trim())) throw new Error(`not an IP address: ${JSON.stringify(ip)}`);
    add(ip);
  });
  return [...names].sort();
}

function currentHost(): HostView {
  return { hostname: hostname(), interfaces: networkInterfaces() };
}
