// decode: the protobuf bodies kubectl 1.32+ sends from `kubectl create namespace|configmap|
// secret …` (typed clients, no JSON fallback), and Evictions from protobuf-speaking client-go
// programs (kubectl drain itself sends JSON), turned into the JSON objects the API handles.
// Only those kinds are decoded; anything else is refused with 415 and a hint to use -f.
//
// Envelope: "k8s\0" + runtime.Unknown{1: TypeMeta{1: apiVersion, 2: kind}, 2: raw object}.
// Field numbers follow k8s.io/api's generated.proto.
import type { KubeObject, ObjectMeta } from '../../../shared/api/meta.js';
import { mapEntry, readFields, str, WireError } from './wire.js';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

export class ProtobufError extends Error {}

export function decodeKubeProtobuf(buf: Uint8Array): KubeObject {
  if (buf.length < 4 || MAGIC.some((b, i) => buf[i] !== b)) throw new ProtobufError('not a Kubernetes protobuf body (missing "k8s\\0" prefix)');
  try {
    let apiVersion = '';
    let kind = '';
    let raw: Uint8Array = new Uint8Array();
    for (const f of readFields(buf.subarray(4))) {
      if (f.no === 1) {
        for (const t of readFields(f.bytes!)) {
          if (t.no === 1) apiVersion = str(t);
          else if (t.no === 2) kind = str(t);
        }
      } else if (f.no === 2) raw = f.bytes ?? raw;
    }
    const decoder = KINDS[`${apiVersion}/${kind}`];
    if (!decoder) throw new ProtobufError(`protobuf bodies for ${kind || 'this kind'} are not supported; send JSON (e.g. kubectl create -f FILE)`);
    return { apiVersion, kind, ...decoder(raw) } as KubeObject;
  } catch (e) {
    if (e instanceof WireError) throw new ProtobufError(`malformed protobuf body: ${e.message}`);
    throw e;
  }
}

type Decoder = (raw: Uint8Array) => Omit<KubeObject, 'apiVersion' | 'kind'>;

const KINDS: Record<string, Decoder> = {
  'v1/Namespace': (raw) => {
    const out: any = { metadata: {} };
    for (const f of readFields(raw)) {
      if (f.no === 1) out.metadata = objectMeta(f.bytes!);
      else if (f.no === 2) out.spec = { finalizers: readFields(f.bytes!).filter((x) => x.no === 1).map(str) };
    }
    return out;
  },
  'v1/ConfigMap': (raw) => {
    const out: any = { metadata: {} };
    for (const f of readFields(raw)) {
      if (f.no === 1) out.metadata = objectMeta(f.bytes!);
      else if (f.no === 2) {
        const [k, v] = mapEntry(f);
        out.data = { ...(out.data ?? {}), [k]: new TextDecoder().decode(v) };
      } else if (f.no === 3) {
        const [k, v] = mapEntry(f);
        out.binaryData = { ...(out.binaryData ?? {}), [k]: Buffer.from(v).toString('base64') };
      } else if (f.no === 4) out.immutable = f.varint === 1n;
    }
    return out;
  },
  'v1/Secret': (raw) => {
    const out: any = { metadata: {} };
    for (const f of readFields(raw)) {
      if (f.no === 1) out.metadata = objectMeta(f.bytes!);
      else if (f.no === 2) {
        const [k, v] = mapEntry(f);
        out.data = { ...(out.data ?? {}), [k]: Buffer.from(v).toString('base64') };
      } else if (f.no === 3) out.type = str(f);
      else if (f.no === 4) {
        const [k, v] = mapEntry(f);
        out.stringData = { ...(out.stringData ?? {}), [k]: new TextDecoder().decode(v) };
      } else if (f.no === 5) out.immutable = f.varint === 1n;
    }
    return out;
  },
  'policy/v1/Eviction': eviction,
  'policy/v1beta1/Eviction': eviction,
};

// eviction: Eviction{1: metadata, 2: DeleteOptions{1: gracePeriodSeconds, 2: Preconditions{1: uid,
// 2: resourceVersion}, 3: orphanDependents, 4: propagationPolicy, 5: dryRun}}.
function eviction(raw: Uint8Array): Omit<KubeObject, 'apiVersion' | 'kind'> {
  const out: any = { metadata: {} };
  for (const f of readFields(raw)) {
    if (f.no === 1) out.metadata = objectMeta(f.bytes!);
    else if (f.no === 2) out.deleteOptions = deleteOptions(f.bytes!);
  }
  return out;
}

function deleteOptions(buf: Uint8Array): Record<string, unknown> {
  const o: Record<string, any> = {};
  for (const f of readFields(buf)) {
    if (f.no === 1 && f.varint !== undefined) o.gracePeriodSeconds = Number(BigInt.asIntN(64, f.varint));
    else if (f.no === 2) {
      o.preconditions = {};
      for (const p of readFields(f.bytes!)) {
        if (p.no === 1) o.preconditions.uid = str(p);
        else if (p.no === 2) o.preconditions.resourceVersion = str(p);
      }
    } else if (f.no === 3 && f.varint !== undefined) o.orphanDependents = f.varint === 1n;
    else if (f.no === 4) o.propagationPolicy = str(f);
    else if (f.no === 5) o.dryRun = [...(o.dryRun ?? []), str(f)];
  }
  return o;
}

function objectMeta(buf: Uint8Array): ObjectMeta {
  const m: ObjectMeta = {};
  for (const f of readFields(buf)) {
    switch (f.no) {
      case 1:
        m.name = str(f);
        break;
      case 2:
        m.generateName = str(f);
        break;
      case 3:
        m.namespace = str(f);
        break;
      case 11: {
        const [k, v] = mapEntry(f);
        m.labels = { ...(m.labels ?? {}), [k]: new TextDecoder().decode(v) };
        break;
      }
      case 12: {
        const [k, v] = mapEntry(f);
        m.annotations = { ...(m.annotations ?? {}), [k]: new TextDecoder().decode(v) };
        break;
      }
      case 14:
        m.finalizers = [...(m.finalizers ?? []), str(f)];
        break;
    }
  }
  return m;
}
