// merge-keys: how strategic merge patch treats each list of the built-in kinds, i.e. the
// `patchStrategy`/`patchMergeKey` struct tags of k8s.io/api, as a small table.
//
// A path is the list of field names from the object root to the list (list items add no
// segment): a Deployment's containers are ["spec","template","spec","containers"], their env
// lists ["spec","template","spec","containers","env"]. Rules match on a path's tail, so one rule
// covers Pods and every pod template (Deployments, ReplicaSets, Jobs, DaemonSets) alike.
// Lists that match no rule are atomic: the patch replaces them (tolerations, envFrom, args,
// command, taints, matchExpressions…), exactly as for fields without a patchStrategy tag.

export type ListStrategy =
  /** a list of objects merged item by item, matching items on `key` */
  | { type: 'merge'; key: string }
  /** a list of scalars merged as a set (patchStrategy:"merge" on []string) */
  | { type: 'set' }
  /** an atomic list, replaced wholesale */
  | { type: 'replace' };

type Segment = string | readonly string[];

interface Rule {
  /** tail of the path; a segment may list alternatives */
  tail: readonly Segment[];
  /** anchored rules only match the whole path (Service spec.ports, not any "ports") */
  anchored?: boolean;
  strategy: ListStrategy;
}

const CONTAINERS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
const by = (key: string): ListStrategy => ({ type: 'merge', key });
const SET: ListStrategy = { type: 'set' };
const REPLACE: ListStrategy = { type: 'replace' };

const RULES: readonly Rule[] = [
  // PodSpec and Container (core/v1 types.go)
  { tail: [CONTAINERS], strategy: by('name') },
  { tail: [CONTAINERS, 'env'], strategy: by('name') },
  { tail: [CONTAINERS, 'ports'], strategy: by('containerPort') },
  { tail: [CONTAINERS, 'volumeMounts'], strategy: by('mountPath') },
  { tail: [CONTAINERS, 'volumeDevices'], strategy: by('devicePath') },
  { tail: ['volumes'], strategy: by('name') },
  { tail: ['imagePullSecrets'], strategy: by('name') },
  { tail: ['hostAliases'], strategy: by('ip') },
  { tail: ['topologySpreadConstraints'], strategy: by('topologyKey') },
  { tail: ['schedulingGates'], strategy: by('name') },
  { tail: ['resourceClaims'], strategy: by('name') },
  // ObjectMeta, also inside pod templates
  { tail: ['metadata', 'ownerReferences'], strategy: by('uid') },
  { tail: ['metadata', 'finalizers'], strategy: SET },
  // Status lists: conditions of every kind, Node addresses, Pod IPs
  { tail: ['status', 'conditions'], strategy: by('type') },
  { tail: ['status', 'addresses'], strategy: by('type') },
  { tail: ['status', 'podIPs'], strategy: by('ip') },
  { tail: ['status', 'hostIPs'], strategy: by('ip') },
  // Service ports merge on port number; Node podCIDRs merge as a set
  { tail: ['spec', 'ports'], anchored: true, strategy: by('port') },
  { tail: ['spec', 'podCIDRs'], anchored: true, strategy: SET },
];

function matches(rule: Rule, path: readonly string[]): boolean {
  const n = rule.tail.length;
  if (path.length < n || (rule.anchored && path.length !== n)) return false;
  for (let i = 0; i < n; i++) {
    const seg = rule.tail[i];
    const got = path[path.length - n + i];
    if (typeof seg === 'string' ? seg !== got : !seg.includes(got)) return false;
  }
  return true;
}

/** listStrategyFor says how the list at path merges. */
export function listStrategyFor(path: readonly string[]): ListStrategy {
  for (const rule of RULES) if (matches(rule, path)) return rule.strategy;
  return REPLACE;
}

/** mergeKeyFor returns the patchMergeKey of the list at path, or undefined for other lists. */
export function mergeKeyFor(path: readonly string[]): string | undefined {
  const s = listStrategyFor(path);
  return s.type === 'merge' ? s.key : undefined;
}
