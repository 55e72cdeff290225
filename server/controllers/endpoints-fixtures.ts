// endpoints-fixtures: pods and services for the endpoints controller's tests.
import type { Pod } from '../../shared/api/core.js';
import type { Service } from './endpoints-logic.js';

export interface PodOpts {
  ip?: string;
  ready?: boolean;
  deleting?: boolean;
  phase?: string;
  restartPolicy?: 'Always' | 'Never' | 'OnFailure';
  labels?: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  node?: string;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: o.node ?? 'pi-1', restartPolicy: o.restartPolicy, containers: [{ name: 'c', image: 'i', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: {
      phase: (o.phase ?? 'Running') as any,
      ...(o.ip === '' ? {} : { podIP: o.ip ?? '10.42.0.1' }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

export function service(ports: Service['spec']['ports'] = [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], extra: Partial<Service['spec']> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, clusterIP: '10.43.0.10', ports, ...extra } };
}

