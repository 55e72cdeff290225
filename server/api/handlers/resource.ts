// resource: the verbs on a Kubernetes resource path — get, list, watch, create, update, patch,
// delete, deletecollection — each a thin step from HTTP to the object service.
import type { Context } from 'hono';
import type { KubeObject } from '../../../shared/api/meta.js';
import { apiVersionOf } from '../../../shared/api/resources.js';
import type { DeleteOptions } from '../../objects/object-service.js';
import { parseObjectBody, mediaType } from '../body.js';
import { badRequest, methodNotAllowed, successStatus } from '../errors.js';
import { wantsTable } from '../negotiate.js';
import type { ResourcePath } from '../paths.js';
import { toTable } from '../tables/index.js';
import { type ApiContext, json } from './context.js';
import { handleBinding, handleEviction } from './binding.js';
import { handleLog } from './log.js';
import { handleScale } from './scale.js';
import { watchResponse } from './watch.js';

export async function handleResource(c: Context, ctx: ApiContext, p: ResourcePath): Promise<Response> {
  const q = (k: string) => c.req.query(k);
  const method = c.req.method;
  const { info, namespace, name, subresource } = p;
  if (subresource === 'scale') return handleScale(c, ctx, p);
  if (subresource === 'log') return handleLog(c, ctx, p);
  if (subresource === 'binding') return handleBinding(c, ctx, p);
  if (subresource === 'eviction') return handleEviction(c, ctx, p);
  const status = subresource === 'status' ? ({ subresource: 'status' } as const) : {};
  const dryRun = q('dryRun') === 'All';

  switch (method) {
    case 'GET': {
      const isWatch = p.legacyWatch || q('watch') === 'true' || q('watch') === '1';
      const table = wantsTable(c.req.header('accept'));
      if (isWatch) {
        const fieldSelector = name ? joinSelectors(`metadata.name=${name}`, q('fieldSelector')) : q('fieldSelector');
        return watchResponse(
          ctx,
          info,
          {
            namespace,
            labelSelector: q('labelSelector'),
            fieldSelector,
            resourceVersion: q('resourceVersion'),
            timeoutSeconds: intParam(q('timeoutSeconds')),
            bookmarks: q('allowWatchBookmarks') === 'true',
            table,
          },
          c.req.raw.signal,
        );
      }
      if (name) {
        const obj = ctx.objects.get(info, namespace, name);
        if (table) return json(200, toTable(info.plural, [obj], { now: ctx.clock.now(), resourceVersion: obj.metadata.resourceVersion }));
        return json(200, obj);
      }
      const { items, revision } = ctx.objects.list(info, { namespace, labelSelector: q('labelSelector'), fieldSelector: q('fieldSelector') });
      if (table) return json(200, toTable(info.plural, items, { now: ctx.clock.now(), resourceVersion: String(revision) }));
      return json(200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: { resourceVersion: String(revision) }, items });
    }
    case 'POST': {
      if (name) throw methodNotAllowed(`the server does not allow this method on the requested resource`);
      const body = parseObjectBody(new Uint8Array(await c.req.arrayBuffer()), c.req.header('content-type'));
      return json(201, await ctx.objects.create(info, namespace, body, { dryRun }));
    }
    case 'PUT': {
      if (!name) throw methodNotAllowed('the server does not allow this method on the requested resource');
      const body = parseObjectBody(new Uint8Array(await c.req.arrayBuffer()), c.req.header('content-type'));
      return json(200, await ctx.objects.update(info, namespace, name, body, { ...status, dryRun }));
    }
    case 'PATCH': {
      if (!name) throw methodNotAllowed('the server does not allow this method on the requested resource');
      const type = mediaType(c.req.header('content-type'));
      const { object, created } = await ctx.objects.patch(info, namespace, name, type, await c.req.text(), { ...status, dryRun });
      return json(created ? 201 : 200, object);
    }
    case 'DELETE': {
      const opts = await deleteOptions(c);
      if (name) {
        const { object, deleted } = await ctx.objects.delete(info, namespace, name, opts);
        if (!deleted) return json(200, object);
        return json(200, successStatus({ name, group: info.group, kind: info.plural, uid: object.metadata.uid }));
      }
      const { items } = ctx.objects.list(info, { namespace, labelSelector: q('labelSelector'), fieldSelector: q('fieldSelector') });
      const done: KubeObject[] = [];
      for (const o of items) {
        try {
          done.push((await ctx.objects.delete(info, o.metadata.namespace ?? '', o.metadata.name!, opts)).object);
        } catch {
          // Already gone or refused: deletecollection deletes what it can, like the apiserver.
        }
      }
      return json(200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: {}, items: done });
    }
    default:
      throw methodNotAllowed(`method ${method} is not supported`);
  }
}

function joinSelectors(a: string, b: string | undefined): string {
  return b ? `${a},${b}` : a;
}

function intParam(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid integer value "${v}"`);
  return n;
}

// deleteOptions merges the DeleteOptions body kubectl sends with the query parameters.
async function deleteOptions(c: Context): Promise<DeleteOptions> {
  const text = await c.req.text();
  const body: DeleteOptions = text.trim() ? parseObjectBody(text, c.req.header('content-type')) : {};
  const policy = c.req.query('propagationPolicy') ?? body.propagationPolicy;
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw badRequest(`propagationPolicy must be Background, Foreground or Orphan, not "${policy}"`);
  }
  const grace = c.req.query('gracePeriodSeconds') ?? body.gracePeriodSeconds;
  return {
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    orphanDependents: c.req.query('orphanDependents') === 'true' || body.orphanDependents,
    gracePeriodSeconds: grace === undefined ? undefined : intParam(String(grace)),
    preconditions: body.preconditions,
    dryRun: c.req.query('dryRun') === 'All' || (Array.isArray((body as any).dryRun) && (body as any).dryRun.includes('All')),
  };
}
