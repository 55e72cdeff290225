// names: the string rules for DNS names shared by the record index and the server. Pure.

// normalizeName makes lookups case-insensitive (RFC 4343) and tolerant of a fully-qualified
// trailing dot, so every map key has one spelling.
export const normalizeName = (name: string) => name.toLowerCase().replace(/\.+$/, '');

// isUnder: name is zone itself or a descendant of it (label-aligned, so "xcluster.local" is not
// under "cluster.local").
export const isUnder = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

export function isIPv4(ip: string): boolean {
  const parts = ip.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

// dashed is the label CoreDNS gives an endpoint without a hostname: 10.42.0.7 → 10-42-0-7.
export const dashed = (ip: string) => ip.replace(/[.:]/g, '-');

// podIp reads the "a-b-c-d" label of a pod name back into an IPv4 address (leading zeros
// dropped so the answer is canonical), or undefined when the label is not one.
export function podIp(label: string): string | undefined {
  if (!/^\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}$/.test(label)) return undefined;
  const ip = label.split('-').map(Number).join('.');
  return isIPv4(ip) ? ip : undefined;
}

export const reverseName = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
