// workloads: defaults for Deployments and ReplicaSets, whose status belongs to their controllers.
import { defaultPodSpec } from './pod.js';
import type { KindStrategy } from './strategy.js';

export const deploymentStrategy: KindStrategy = {
  defaults(obj) {
    const s = obj.spec;
    if (!s || typeof s !== 'object') return;
    s.replicas ??= 1;
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    s.strategy ??= {};
    s.strategy.type ??= 'RollingUpdate';
    if (s.strategy.type === 'RollingUpdate') {
      s.strategy.rollingUpdate ??= {};
      s.strategy.rollingUpdate.maxSurge ??= '25%';
      s.strategy.rollingUpdate.maxUnavailable ??= '25%';
    }
    defaultPodSpec(s.template?.spec);
  },
  prepareCreate(obj) {
    obj.status = {};
  },
};

export const replicaSetStrategy: KindStrategy = {
  defaults(obj) {
    const s = obj.spec;
    if (!s || typeof s !== 'object') return;
    s.replicas ??= 1;
    defaultPodSpec(s.template?.spec);
  },
  prepareCreate(obj) {
    obj.status = { replicas: 0 };
  },
};
