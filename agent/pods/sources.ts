// sources: the ConfigMaps and Secrets of the desired state, as env, volumes and image pulls read
// them. Secret values are base64 in `data`; ConfigMaps hold text in `data`, bytes in `binaryData`.
import type { KubeObject } from '../../shared/api/meta.js';

/** ObjectLookup finds the ConfigMaps and Secrets the node was sent with its pods. */
export interface ObjectLookup {
  configMap(namespace: string, name: string): KubeObject | undefined;
  secret(namespace: string, name: string): KubeObject | undefined;
}

/** indexLookup builds an ObjectLookup over lists of ConfigMaps and Secrets. */
export function indexLookup(configMaps: KubeObject[], secrets: KubeObject[]): ObjectLookup {
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  const cms = new Map(configMaps.map((o) => [key(o), o]));
  const secs = new Map(secrets.map((o) => [key(o), o]));
  return {
    configMap: (ns, name) => cms.get(`${ns}/${name}`),
    secret: (ns, name) => secs.get(`${ns}/${name}`),
  };
}

/** SourceKind names where a value comes from, in the words of kubelet errors. */
export type SourceKind = 'configmap' | 'secret';

/** sourceBytes returns every key of a ConfigMap or Secret as bytes. */
export function sourceBytes(kind: SourceKind, obj: KubeObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const data = (obj.data ?? {}) as Record<string, string>;
  if (kind === 'secret') {
    for (const [k, v] of Object.entries(data)) out.set(k, Buffer.from(String(v), 'base64'));
    // stringData is folded into data on write; read it too in case a raw object slipped through.
    for (const [k, v] of Object.entries((obj.stringData ?? {}) as Record<string, string>)) out.set(k, Buffer.from(String(v)));
  } else {
    for (const [k, v] of Object.entries(data)) out.set(k, Buffer.from(String(v)));
    for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>)) out.set(k, Buffer.from(String(v), 'base64'));
  }
  return out;
}

/** findSource looks up a ConfigMap or Secret by kind. */
export function findSource(lookup: ObjectLookup, kind: SourceKind, namespace: string, name: string): KubeObject | undefined {
  return kind === 'secret' ? lookup.secret(namespace, name) : lookup.configMap(namespace, name);
}

/** notFound is the kubelet's message for a missing source: `configmap "x" not found`. */
export function notFound(kind: SourceKind, name: string): string {
  return `${kind} "${name}" not found`;
}

/** Result is an expected outcome that may fail with a message (a missing key, a missing ConfigMap):
 *  failures are values, shown as a container's waiting reason, never thrown. */
export type Result<T> = { ok: true; value: T } | { ok: false; message: string };
