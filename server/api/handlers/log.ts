// log: pods/log. The bytes come from the agent running the pod (a LogSource); the API only
// checks the request and streams.
import type { Context } from 'hono';
import { badRequest } from '../errors.js';
import type { ResourcePath } from '../paths.js';
import type { ApiContext, LogOptions } from './context.js';

export async function handleLog(c: Context, ctx: ApiContext, p: ResourcePath): Promise<Response> {
  if (c.req.method !== 'GET') throw badRequest('pod logs can only be read');
  const pod = ctx.objects.get(p.info, p.namespace, p.name!);
  const containers: string[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((x: any) => x.name);
  const container = c.req.query('container') ?? (pod.spec?.containers?.length === 1 ? pod.spec.containers[0].name : undefined);
  if (!container) {
    throw badRequest(`a container name must be specified for pod ${p.name}, choose one of: [${containers.join(' ')}]`);
  }
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${p.name}`);
  if (!pod.spec?.nodeName) throw badRequest(`pod ${p.name} is not scheduled to a node yet`);
  if (!ctx.logs) throw badRequest(`logs of pod ${p.name} are not available: no agent serves node ${pod.spec.nodeName}`);
  const num = (k: string) => {
    const v = c.req.query(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`${k} must be a non-negative integer`);
    return n;
  };
  const opts: LogOptions = {
    container,
    follow: c.req.query('follow') === 'true',
    previous: c.req.query('previous') === 'true',
    timestamps: c.req.query('timestamps') === 'true',
    tailLines: num('tailLines'),
    sinceSeconds: num('sinceSeconds'),
    limitBytes: num('limitBytes'),
  };
  const body = await ctx.logs.stream(pod, opts, c.req.raw.signal);
  return new Response(body, { status: 200, headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' } });
}
