import { describe, expect, it } from 'vitest';
import { ServicePodIndex } from './endpoints-index.js';
import {
  desiredEndpoints,
  endpointsChanged,
  endpointSubsets,
  findPort,
  OVER_CAPACITY,
  podEndpointFieldsChanged,
  selectorOf,
  shouldListPod,
  truncateSubsets,
} from './endpoints-logic.js';
import { type PodOpts, pod, service } from './endpoints-fixtures.js';

const addr = (name: string, ip: string) => ({ ip, nodeName: 'pi-1', targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` } });

describe('selectorOf', () => {
  it.each([
    ['a selector', service(), { app: 'web' }],
    ['no selector', service(undefined, { selector: undefined }), undefined],
    ['an empty selector', service(undefined, { selector: {} }), undefined],
    ['ExternalName', service(undefined, { type: 'ExternalName' }), undefined],
  ])('%s', (_, svc, want) => expect(selectorOf(svc)).toEqual(want));
});

describe('shouldListPod', () => {
  it.each([
    ['running with an IP', pod('a'), false, true],
    ['no IP yet', pod('a', { ip: '' }), false, false],
    ['terminating', pod('a', { deleting: true }), false, false],
    ['terminating, terminating included', pod('a', { deleting: true }), true, true],
    ['succeeded, restartPolicy Never', pod('a', { phase: 'Succeeded', restartPolicy: 'Never' }), false, false],
    ['failed, restartPolicy OnFailure', pod('a', { phase: 'Failed', restartPolicy: 'OnFailure' }), false, true],
    ['succeeded, restartPolicy Always', pod('a', { phase: 'Succeeded' }), false, true],
  ])('%s', (_, p, includeTerminating, want) => expect(shouldListPod(p, includeTerminating)).toBe(want));
});

describe('findPort', () => {
  const p = pod('a', { ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] });
  it.each([
    ['a number', { port: 80, targetPort: 9090 }, 9090],
    ['a numeric string', { port: 80, targetPort: '9091' }, 9091],
    ['unset: the port', { port: 80 }, 80],
    ['a name', { port: 80, targetPort: 'http' }, 8080],
    ['a name with another protocol', { port: 53, targetPort: 'dns', protocol: 'UDP' }, 53],
    ['a name on the wrong protocol', { port: 53, targetPort: 'dns', protocol: 'TCP' }, undefined],
    ['an unknown name', { port: 80, targetPort: 'metrics' }, undefined],
  ])('%s', (_, sp, want) => expect(findPort(p, sp)).toBe(want));
});

describe('endpointSubsets', () => {
  it('splits ready and not-ready pods and leaves terminating ones out', () => {
    const pods = [pod('b', { ip: '10.42.0.2' }), pod('a', { ip: '10.42.0.1' }), pod('c', { ip: '10.42.0.3', ready: false }), pod('d', { ip: '10.42.0.4', deleting: true })];
    expect(endpointSubsets(service(), pods)).toEqual([
      { addresses: [addr('a', '10.42.0.1'), addr('b', '10.42.0.2')], notReadyAddresses: [addr('c', '10.42.0.3')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    ]);
  });

  it('groups pods by the port their named targetPort resolves to, skipping pods without it', () => {
    const pods = [pod('a', { ip: '10.42.0.1' }), pod('b', { ip: '10.42.0.2', ports: [{ name: 'http', containerPort: 9000 }] }), pod('c', { ip: '10.42.0.3', ports: [] })];
    expect(endpointSubsets(service(), pods)).toEqual([
      { addresses: [addr('a', '10.42.0.1')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      { addresses: [addr('b', '10.42.0.2')], ports: [{ name: 'http', port: 9000, protocol: 'TCP' }] },
    ]);
  });

  it('keeps a pod that resolves only some of the ports, on those ports', () => {
    const svc = service([
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'metrics', port: 9100, targetPort: 'metrics' },
    ]);
    const both = pod('a', { ip: '10.42.0.1', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }] });
    const one = pod('b', { ip: '10.42.0.2' });
    expect(endpointSubsets(svc, [both, one]).map((s) => [s.addresses?.map((a) => a.ip), s.ports?.map((p) => p.port)])).toEqual([
      [['10.42.0.1'], [8080, 9100]],
      [['10.42.0.2'], [8080]],
    ]);
  });

  it('publishNotReadyAddresses lists every pod as ready, terminating ones too', () => {
    const pods = [pod('a', { ip: '10.42.0.1', ready: false }), pod('b', { ip: '10.42.0.2', deleting: true })];
    expect(endpointSubsets(service(undefined, { publishNotReadyAddresses: true }), pods)[0].addresses?.map((a) => a.ip)).toEqual(['10.42.0.1', '10.42.0.2']);
  });

  it('a headless service without ports lists addresses only; a ClusterIP one nothing', () => {
    expect(endpointSubsets(service([], { clusterIP: 'None' }), [pod('a')])).toEqual([{ addresses: [addr('a', '10.42.0.1')] }]);
    expect(endpointSubsets(service([]), [pod('a')])).toEqual([]);
  });
});

describe('desiredEndpoints', () => {
  it('copies the service labels and marks headless services', () => {
    expect(desiredEndpoints(service(), []).metadata).toEqual({ name: 'web', namespace: 'default', labels: { tier: 'front' } });
    expect(desiredEndpoints(service(undefined, { clusterIP: 'None' }), []).metadata.labels).toEqual({ tier: 'front', 'service.kubernetes.io/headless': '' });
  });

  it('truncates past 1000 addresses, ready ones first', () => {
    const pods = Array.from({ length: 1001 }, (_, i) => pod(`p${i}`, { ip: `10.42.${i >> 8}.${i & 255}`, ready: i !== 0 }));
    const e = desiredEndpoints(service(), pods);
    expect(e.metadata.annotations).toEqual({ [OVER_CAPACITY]: 'truncated' });
    expect(e.subsets[0].addresses).toHaveLength(1000);
    expect(e.subsets[0].notReadyAddresses).toBeUndefined();
  });

  it('endpointsChanged ignores key order and fields the controller does not own', () => {
    const want = desiredEndpoints(service(), [pod('a')]);
    const stored = { ...structuredClone(want), metadata: { ...want.metadata, resourceVersion: '7', uid: 'x' } };
    expect(endpointsChanged(stored, want)).toBe(false);
    expect(endpointsChanged(stored, desiredEndpoints(service(), []))).toBe(true);
  });
});

describe('truncateSubsets', () => {
  it('drops not-ready addresses before ready ones', () => {
    const a = (ip: string) => addr(ip, ip) as any;
    const subsets = [{ addresses: [a('1'), a('2')], notReadyAddresses: [a('3')] }, { addresses: [a('4')], notReadyAddresses: [a('5')] }];
    expect(truncateSubsets(subsets, 4)).toBe(true);
    expect(subsets.map((s) => [s.addresses?.length, s.notReadyAddresses?.length])).toEqual([
      [2, 1],
      [1, undefined],
    ]);
  });
});

describe('podEndpointFieldsChanged', () => {
  it.each([
    ['readiness', { ready: false }, true],
    ['IP', { ip: '10.42.0.9' }, true],
    ['deletion', { deleting: true }, true],
    ['nothing relevant', {}, false],
  ])('%s', (_, o, want) => expect(podEndpointFieldsChanged(pod('a'), pod('a', o as PodOpts))).toBe(want));
});

describe('ServicePodIndex', () => {
  it('tracks membership through label changes and deletions', () => {
    const idx = new ServicePodIndex();
    idx.putPod(pod('a'));
    idx.putService(service());
    expect(idx.podsOf('default/web').map((p) => p.metadata.name)).toEqual(['a']);
    expect(idx.putPod(pod('b', { labels: { app: 'other' } }))).toEqual([]);
    expect(idx.putPod(pod('a', { labels: { app: 'other' } }))).toEqual(['default/web']);
    expect(idx.podsOf('default/web')).toEqual([]);
    expect(idx.putPod(pod('b'))).toEqual(['default/web']);
    expect(idx.removePod(pod('b'))).toEqual(['default/web']);
    expect(idx.podsOf('default/web')).toEqual([]);
    idx.putService(service(undefined, { selector: { app: 'other' } }));
    expect(idx.podsOf('default/web').map((p) => p.metadata.name)).toEqual(['a']);
    idx.removeService(service());
    expect(idx.putPod(pod('a', { labels: { app: 'other' } }))).toEqual([]);
  });
});
