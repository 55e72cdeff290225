// binding: pods/binding (the scheduler's write) and pods/eviction (kubectl drain, which
// honours PodDisruptionBudgets: see objects/eviction.ts).
import type { Context } from 'hono';
import { parseObjectBody } from '../body.js';
import { bindPod } from '../../objects/binding.js';
import { evictPod } from '../../objects/eviction.js';
import { ApiError, badRequest, successStatus } from '../errors.js';
import type { ResourcePath } from '../paths.js';
import { type ApiContext, json } from './context.js';

export async function handleBinding(c: Context, ctx: ApiContext, p: ResourcePath): Promise<Response> {
  if (c.req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'bindings can only be created');
  const body = parseObjectBody(await c.req.text(), c.req.header('content-type'));
  const target = body?.target?.name;
  if (typeof target !== 'string' || !target) throw badRequest('a Binding needs target.name');
  await bindPod(ctx.objects, p.namespace, p.name!, target);
  return json(201, successStatus({}));
}

export async function handleEviction(c: Context, ctx: ApiContext, p: ResourcePath): Promise<Response> {
  if (c.req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'evictions can only be created');
  // Read as bytes: client-go clients set to protobuf send the Eviction that way (kubectl drain, up
  // to 1.33 at least, sends JSON).
  const body = parseObjectBody(new Uint8Array(await c.req.arrayBuffer()), c.req.header('content-type'));
  const result = await evictPod(ctx.objects, p.namespace, p.name!, body);
  if (!result.evicted) return json(result.code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: result.message, code: result.code });
  return json(201, successStatus({ name: p.name, kind: 'pods' }));
}
