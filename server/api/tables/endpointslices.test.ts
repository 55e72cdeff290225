import { describe, expect, it } from 'vitest';
import { endpointslices, formatSliceEndpoints, formatSlicePorts } from './endpointslices.js';
import { printerFor } from './index.js';

describe('endpointslices printer', () => {
  it('is the printer for endpointslices', () => expect(printerFor('endpointslices')).toBe(endpointslices));

  it('prints name, address type, ports, endpoints and age', () => {
    const now = Date.parse('2025-01-02T00:00:00Z');
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-x7k2p', creationTimestamp: '2025-01-01T00:00:00Z' },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.42.0.5'] }, { addresses: ['10.42.1.7'] }],
    };
    expect(endpointslices.cells(slice, { now })).toEqual(['web-x7k2p', 'IPv4', '8080', '10.42.0.5,10.42.1.7', '24h']);
    expect(endpointslices.columns.map((c) => c.name)).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
  });

  it.each([
    [[], '<unset>'],
    [undefined, '<unset>'],
    [[{ port: 80 }, { name: 'dns', port: null }, { port: null }], '80,dns,*'],
    [[{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }, { port: 5 }], '1,2,3 + 2 more...'],
  ])('ports %j', (ports, want) => expect(formatSlicePorts(ports)).toBe(want));

  it.each([
    [null, '<unset>'],
    [[{ addresses: ['a', 'b'] }, { addresses: ['c'] }, { addresses: ['d'] }], 'a,b,c + 1 more...'],
  ])('endpoints %j', (eps, want) => expect(formatSliceEndpoints(eps)).toBe(want));
});
