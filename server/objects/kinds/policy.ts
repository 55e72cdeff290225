// policy: PodDisruptionBudgets start with an empty status, which the disruption controller
// fills in; until it has (observedGeneration behind generation) evictions are refused with 429.
import type { KindStrategy } from './strategy.js';

export const podDisruptionBudgetStrategy: KindStrategy = {
  prepareCreate(obj) {
    obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
};
