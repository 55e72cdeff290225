// pod: defaults and server-owned fields of Pods. Status belongs to the agent (via pods/status);
// a plain update keeps whatever status the pod already has.
import type { Container, Toleration } from '../../../shared/api/core.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import type { KindStrategy } from './strategy.js';

export interface PodDefaults {
  /** notReadyTolerationSeconds: how long pods stay bound to a NotReady/unreachable node. */
  notReadyTolerationSeconds: number;
}

/** defaultPodSpec fills what the apiserver defaults; also used for templates. */
export function defaultPodSpec(spec: any, d?: PodDefaults): void {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])]) {
    defaultContainer(c);
  }
  if (d) addDefaultTolerations(spec, d.notReadyTolerationSeconds);
}

function defaultContainer(c: Container): void {
  if (!c || typeof c !== 'object') return;
  if (typeof c.image === 'string') c.imagePullPolicy ??= pullPolicyFor(c.image);
  (c as any).terminationMessagePath ??= '/dev/termination-log';
  (c as any).terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (p && typeof p === 'object') p.protocol ??= 'TCP';
}

// pullPolicyFor follows Kubernetes: ":latest" (or no tag) means Always, anything else IfNotPresent.
function pullPolicyFor(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.split('/').pop() ?? image;
  const tag = last.includes(':') ? last.split(':').pop() : undefined;
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

// addDefaultTolerations mirrors the DefaultTolerationSeconds admission plugin, with an edge
// default: a Pi that drops off should have its pods replaced in seconds, not five minutes.
function addDefaultTolerations(spec: any, seconds: number): void {
  const tol: Toleration[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const has = tol.some((t) => (t.key === key || (t.operator === 'Exists' && !t.key)) && (!t.effect || t.effect === 'NoExecute'));
    if (!has) tol.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  spec.tolerations = tol;
}

export function podStrategy(d: PodDefaults): KindStrategy {
  return {
    defaults(obj) {
      defaultPodSpec(obj.spec, d);
    },
    prepareCreate(obj) {
      obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
    },
  };
}

function qosClass(pod: KubeObject): string {
  const cs: Container[] = Array.isArray(pod.spec?.containers) ? pod.spec.containers : [];
  let any = false;
  let guaranteed = cs.length > 0;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    if (!lim.cpu || !lim.memory || (req.cpu && req.cpu !== lim.cpu) || (req.memory && req.memory !== lim.memory)) guaranteed = false;
  }
  return guaranteed ? 'Guaranteed' : any ? 'Burstable' : 'BestEffort';
}
