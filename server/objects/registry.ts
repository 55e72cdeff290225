// registry: which strategy each kind uses.
import type { ResourceInfo } from '../../shared/api/resources.js';
import { type PodDefaults, podStrategy } from './kinds/pod.js';
import { podDisruptionBudgetStrategy } from './kinds/policy.js';
import { type ServiceNetwork, serviceStrategy } from './kinds/service.js';
import { eventStrategy, namespaceStrategy, secretStrategy } from './kinds/simple.js';
import type { KindStrategy } from './kinds/strategy.js';
import { deploymentStrategy, replicaSetStrategy } from './kinds/workloads.js';

export interface KindOptions {
  pods: PodDefaults;
  services: ServiceNetwork;
}

export function strategies(o: KindOptions): (info: ResourceInfo) => KindStrategy {
  const byKind: Record<string, KindStrategy> = {
    Pod: podStrategy(o.pods),
    Service: serviceStrategy(o.services),
    Namespace: namespaceStrategy,
    Secret: secretStrategy,
    Event: eventStrategy,
    Deployment: deploymentStrategy,
    ReplicaSet: replicaSetStrategy,
    PodDisruptionBudget: podDisruptionBudgetStrategy,
  };
  return (info) => byKind[info.kind] ?? {};
}
