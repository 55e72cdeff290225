// references: which ConfigMaps and Secrets a pod needs on its node — volumes (configMap, secret,
// projected), env valueFrom, envFrom and imagePullSecrets, across all container kinds. Only these
// travel to the node with its desired state; a node never sees another node's secrets.
import type { KubeObject } from '../../shared/api/meta.js';

export interface PodReferences {
  configMaps: string[];
  secrets: string[];
}

export function podReferences(pod: KubeObject): PodReferences {
  const cms = new Set<string>();
  const secrets = new Set<string>();
  const add = (set: Set<string>, name: unknown) => {
    if (typeof name === 'string' && name) set.add(name);
  };
  const spec = pod.spec ?? {};
  for (const v of list(spec.volumes)) {
    add(cms, v.configMap?.name);
    add(secrets, v.secret?.secretName);
    for (const s of list(v.projected?.sources)) {
      add(cms, s.configMap?.name);
      add(secrets, s.secret?.name);
    }
  }
  for (const c of [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)]) {
    for (const e of list(c.env)) {
      add(cms, e.valueFrom?.configMapKeyRef?.name);
      add(secrets, e.valueFrom?.secretKeyRef?.name);
    }
    for (const f of list(c.envFrom)) {
      add(cms, f.configMapRef?.name);
      add(secrets, f.secretRef?.name);
    }
  }
  for (const s of list(spec.imagePullSecrets)) add(secrets, s.name);
  return { configMaps: [...cms].sort(), secrets: [...secrets].sort() };
}

function list(v: unknown): any[] {
  return Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : [];
}
