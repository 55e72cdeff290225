import { describe, expect, it } from 'vitest';
import { validate } from './index.js';

const slice = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-abcde', namespace: 'default' },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.42.0.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'pi-1' }],
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  ...extra,
});

const messages = (obj: unknown) => validate('EndpointSlice', obj).map((c) => `${c.field}: ${c.message}`);

describe('EndpointSlice validation', () => {
  it('accepts what the controller writes, placeholders included', () => {
    expect(messages(slice())).toEqual([]);
    expect(messages(slice({ endpoints: [], ports: [] }))).toEqual([]);
    expect(messages(slice({ ports: [{ name: '', port: 80, protocol: 'TCP' }] }))).toEqual([]);
  });

  it.each([
    ['no address type', { addressType: undefined }, 'addressType: Required value'],
    ['an unknown address type', { addressType: 'IPv5' }, 'addressType: Unsupported value: "IPv5"'],
    ['an endpoint without addresses', { endpoints: [{ addresses: [] }] }, 'endpoints[0].addresses: Required value'],
    ['a bad IPv4 address', { endpoints: [{ addresses: ['10.42.0.300'] }] }, 'endpoints[0].addresses[0]: Invalid value: "10.42.0.300"'],
    ['a bad port', { ports: [{ name: 'http', port: 70000 }] }, 'ports[0].port: Invalid value: 70000'],
    ['duplicate port names', { ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] }, 'ports[1].name: Duplicate value: "a"'],
    ['an unknown protocol', { ports: [{ name: 'a', port: 1, protocol: 'ICMP' }] }, 'ports[0].protocol: Unsupported value: "ICMP"'],
  ])('rejects %s', (_, extra, prefix) => {
    expect(messages(slice(extra)).some((m) => m.startsWith(prefix))).toBe(true);
  });
});
