// policy: policy/v1 PodDisruptionBudget and Eviction — how many pods of a set may be voluntarily
// disrupted at once, and the request that asks for one such disruption (pods/eviction).
import type { LabelSelector } from './core.js';
import type { KubeObject, ObjectMeta } from './meta.js';

/** IntOrString: a count (3) or a percentage ("50%") of the expected pods. */
export type IntOrPercent = number | string;

export interface PdbCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface PdbStatus {
  observedGeneration?: number;
  /** disruptedPods: pods the eviction API has let go and the controller has not yet seen deleted, with the time. */
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  spec: { minAvailable?: IntOrPercent; maxUnavailable?: IntOrPercent; selector?: LabelSelector | null; unhealthyPodEvictionPolicy?: string };
  status?: PdbStatus;
}

export interface DeleteOptionsBody {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  dryRun?: string[];
}

export interface Eviction {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  deleteOptions?: DeleteOptionsBody;
}
