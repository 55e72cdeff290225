// endpoints: `kubectl get endpoints` columns; at most three "ip:port" entries, then "+ N more...".
import { isIP } from 'node:net';
import type { KubeObject } from '../../../shared/api/meta.js';
import { ageColumn, column, nameColumn, since } from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

interface Subset {
  addresses?: { ip: string }[];
  ports?: { name?: string; port: number }[];
}

const MAX_SHOWN = 3;

const hostPort = (ip: string, port: number) => (isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);

/** formatEndpoints is kube-apiserver's formatEndpoints with every port included. */
export function formatEndpoints(subsets: Subset[] | undefined): string {
  if (!subsets?.length) return '<none>';
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    // A headless service may have addresses and no ports.
    const ports: (number | undefined)[] = ss.ports?.length ? ss.ports.map((p) => p.port) : [undefined];
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_SHOWN) {
          more = true;
          break;
        }
        list.push(port === undefined ? a.ip : hostPort(a.ip, port));
      }
    }
  }
  const shown = list.join(',');
  return more ? `${shown} + ${count - MAX_SHOWN} more...` : shown;
}

export const endpoints: TablePrinter = {
  columns: [
    nameColumn,
    column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'),
    ageColumn,
  ],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    return [obj.metadata.name ?? '', formatEndpoints(obj.subsets), since(obj.metadata.creationTimestamp, now)];
  },
};
