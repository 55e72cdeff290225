// endpointslices: `kubectl get endpointslices` columns — address type, ports and addresses, each
// list cut after three entries with "+ N more...", "<unset>" when empty (kube-apiserver's
// formatDiscoveryPorts / formatDiscoveryEndpoints).
import type { KubeObject } from '../../../shared/api/meta.js';
import { ageColumn, column, nameColumn, since } from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

const MAX_SHOWN = 3;

function listWithMore(items: string[]): string {
  if (items.length > MAX_SHOWN) return `${items.slice(0, MAX_SHOWN).join(',')} + ${items.length - MAX_SHOWN} more...`;
  return items.join(',') || '<unset>';
}

/** formatSlicePorts: each port's number, its name when the number is unset, else "*". */
export function formatSlicePorts(ports: { name?: string | null; port?: number | null }[] | null | undefined): string {
  return listWithMore((ports ?? []).map((p) => (typeof p.port === 'number' ? String(p.port) : p.name || '*')));
}

export function formatSliceEndpoints(endpoints: { addresses?: string[] }[] | null | undefined): string {
  return listWithMore((endpoints ?? []).flatMap((e) => e.addresses ?? []));
}

export const endpointslices: TablePrinter = {
  columns: [
    nameColumn,
    column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported:\n* IPv4: Represents an IPv4 Address.\n* IPv6: Represents an IPv6 Address.\n* FQDN: Represents a Fully Qualified Domain Name.'),
    column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'),
    column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
    ageColumn,
  ],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    return [obj.metadata.name ?? '', obj.addressType ?? '', formatSlicePorts(obj.ports), formatSliceEndpoints(obj.endpoints), since(obj.metadata.creationTimestamp, now)];
  },
};
