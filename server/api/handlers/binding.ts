// binding: pods/binding (the scheduler's write) and pods/eviction (kubectl drain).
import type { Context } from 'hono';
import { findResource } from '../../../shared/api/resources.js';
import { parseObjectBody } from '../body.js';
import { bindPod } from '../../objects/binding.js';
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
  const body = parseObjectBody(await c.req.text(), c.req.header('content-type'));
  const pods = findResource('', 'v1', 'pods')!;
  await ctx.objects.delete(pods, p.namespace, p.name!, body?.deleteOptions ?? {});
  return json(201, successStatus({ name: p.name, kind: 'pods' }));
}
