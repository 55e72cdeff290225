// scale: the autoscaling/v1 Scale view of Deployments and ReplicaSets (kubectl scale).
import type { Context } from 'hono';
import type { KubeObject } from '../../../shared/api/meta.js';
import { labelSelectorToString } from '../../../shared/selectors.js';
import { parseObjectBody, mediaType } from '../body.js';
import { badRequest, conflict, invalid, methodNotAllowed } from '../errors.js';
import { applyPatch } from '../patch/index.js';
import type { ResourcePath } from '../paths.js';
import { type ApiContext, json } from './context.js';
import { qualifiedName } from '../../../shared/api/resources.js';

function toScale(o: KubeObject) {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: labelSelectorToString(o.spec?.selector ?? {}) },
  };
}

export async function handleScale(c: Context, ctx: ApiContext, p: ResourcePath): Promise<Response> {
  const { info, namespace } = p;
  const name = p.name!;
  const current = ctx.objects.get(info, namespace, name);
  if (c.req.method === 'GET') return json(200, toScale(current));
  let wanted: any;
  const text = await c.req.text();
  if (c.req.method === 'PUT') {
    wanted = parseObjectBody(text, c.req.header('content-type'));
    const rv = wanted?.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(qualifiedName(info), name);
  } else if (c.req.method === 'PATCH') {
    wanted = applyPatch(mediaType(c.req.header('content-type')), toScale(current), text);
  } else {
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
  const replicas = wanted?.spec?.replicas;
  if (replicas === undefined) throw badRequest('spec.replicas is required in a Scale');
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw invalid('Scale', 'autoscaling', name, [
      { reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
    ]);
  }
  const expected = c.req.method === 'PUT' ? wanted?.metadata?.resourceVersion : undefined;
  const updated = await ctx.objects.mutate(info, namespace, name, (o) => {
    if (expected && o.metadata.resourceVersion !== expected) throw conflict(qualifiedName(info), name);
    o.spec.replicas = replicas;
    return o;
  });
  return json(200, toScale(updated ?? current));
}
