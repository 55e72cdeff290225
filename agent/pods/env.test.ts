import { describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/core.js';
import { envList, expand, fieldRef, resolveEnv } from './env.js';
import { indexLookup } from './sources.js';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { app: 'web' }, annotations: { note: 'hi' } },
  spec: { nodeName: 'pi1', containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '500m', memory: '64Mi' } } }] },
};
const lookup = indexLookup(
  [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' }, data: { a: '1', b: '2' } }],
  [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { pw: Buffer.from('secret').toString('base64') } }],
);
const ctx = (container: any) => ({ pod, container: { name: 'c', image: 'i', ...container }, lookup, nodeName: 'pi1', hostIP: '192.168.1.10', podIP: '10.42.0.5' });

describe('expand', () => {
  const vars = new Map([['A', 'x']]);
  it.each([
    ['$(A)', 'x'],
    ['pre-$(A)-post', 'pre-x-post'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$(B)', '$(B)'],
    ['$(A', '$(A'],
    ['cost $5', 'cost $5'],
    ['plain', 'plain'],
  ])('%s → %s', (input, out) => expect(expand(input, vars)).toBe(out));
});

describe('resolveEnv', () => {
  it('applies envFrom first, then env in order, overriding and expanding', () => {
    const r = resolveEnv(
      ctx({
        resources: { limits: { cpu: '500m', memory: '64Mi' } },
        envFrom: [{ configMapRef: { name: 'cm' } }, { prefix: 'S_', secretRef: { name: 's' } }],
        env: [
          { name: 'a', value: 'override' },
          { name: 'REF', value: '$(b)/$(S_pw)' },
          { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        ],
      }),
    );
    expect(r.ok && envList(r.value)).toEqual(['a=override', 'b=2', 'S_pw=secret', 'REF=2/secret', 'PW=secret', 'NS=ns', 'CPU=500', 'MEM=64']);
  });

  it.each([
    [{ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'a' } } }] }, 'configmap "nope" not found'],
    [{ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'zz' } } }] }, "couldn't find key zz in ConfigMap ns/cm"],
    [{ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'zz' } } }] }, "couldn't find key zz in Secret ns/s"],
    [{ envFrom: [{ secretRef: { name: 'gone' } }] }, 'secret "gone" not found'],
  ])('refuses a missing source: %j', (c, message) => {
    expect(resolveEnv(ctx(c))).toEqual({ ok: false, message });
  });

  it('skips optional sources that are missing', () => {
    const r = resolveEnv(ctx({ envFrom: [{ configMapRef: { name: 'nope', optional: true } }], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'zz', optional: true } } }] }));
    expect(r.ok && r.value.size).toBe(0);
  });
});

describe('fieldRef', () => {
  const c = { pod, nodeName: 'pi1', hostIP: '192.168.1.10', podIP: '10.42.0.5' };
  it.each([
    ['metadata.name', 'p'],
    ['metadata.namespace', 'ns'],
    ['metadata.uid', 'u1'],
    ["metadata.labels['app']", 'web'],
    ["metadata.annotations['note']", 'hi'],
    ["metadata.labels['missing']", ''],
    ['spec.nodeName', 'pi1'],
    ['status.podIP', '10.42.0.5'],
    ['status.hostIP', '192.168.1.10'],
  ])('%s', (path, value) => expect(fieldRef(c, path)).toEqual({ ok: true, value }));
});
