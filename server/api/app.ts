// app: the Kubernetes-compatible HTTP API on hono. Routing only: authentication, the body limit,
// discovery, and the resource paths; every failure becomes a Status in onError.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { aggregated, aggregatedContentType, aggregatedVersion, legacyCore, legacyGroups, resourceList } from './discovery.js';
import { ApiError, asApiError, forbidden, toStatus, tooLarge, unauthorized } from './errors.js';
import { type Authenticator, authorizationProblem, bearerToken, CACERTS_PATH, type Identity, JOIN_PATH, PUBLIC_PATHS } from './auth.js';
import { MAX_BODY_BYTES } from './body.js';
import { type ApiContext, json } from './handlers/context.js';
import { handleResource } from './handlers/resource.js';
import { type MetricsSource, renderMetrics } from './metrics.js';
import { parseResourcePath } from './paths.js';
import { versionInfo } from './version.js';

export interface AppOptions {
  ctx: ApiContext;
  auth: Authenticator;
  version: string;
  ready?: () => boolean;
  metrics?: MetricsSource;
  onError?: (err: unknown, req: { method: string; path: string }) => void;
  /** caCertPem is served at /cacerts without authentication (joining nodes check it against their token). */
  caCertPem?: string;
  /** join handles POST /bramble/v1/join, which authenticates with a join token instead of an API token. */
  join?: (req: Request) => Promise<Response>;
}

type Env = { Variables: { identity: Identity } };

export function createApp(o: AppOptions): Hono<Env> {
  const app = new Hono<Env>();

  app.onError((err, c) => {
    const e = asApiError(err);
    if (e.code >= 500) o.onError?.(err, { method: c.req.method, path: c.req.path });
    return json(e.code, toStatus(e));
  });
  app.notFound(() => json(404, toStatus(new ApiError(404, 'NotFound', 'the server could not find the requested resource'))));

  for (const p of PUBLIC_PATHS) {
    app.get(p, (c) => {
      const ok = p !== '/readyz' || (o.ready?.() ?? true);
      return c.text(ok ? 'ok' : 'not ready', ok ? 200 : 503);
    });
  }

  const { caCertPem, join } = o;
  if (caCertPem) app.get(CACERTS_PATH, () => new Response(caCertPem, { headers: { 'content-type': 'application/x-pem-file' } }));
  if (join) app.post(JOIN_PATH, (c) => join(c.req.raw));

  app.use('*', async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    const identity = token ? o.auth.authenticate(token) : undefined;
    if (!identity) throw unauthorized();
    const problem = authorizationProblem(identity, c.req.method, c.req.path);
    if (problem) throw forbidden(problem);
    c.set('identity', identity);
    await next();
  });
  // The rest of an oversized body is never read, so the connection cannot carry another request:
  // say so, or a keep-alive client reuses it and sees its next request hang up.
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => new Response(JSON.stringify(toStatus(tooLarge())), { status: 413, headers: { 'content-type': 'application/json', connection: 'close' } }),
    }),
  );

  app.get('/version', (c) => c.json(versionInfo(o.version)));
  app.get('/metrics', () => new Response(renderMetrics(o.metrics ?? (() => ({}))), { headers: { 'content-type': 'text/plain; version=0.0.4' } }));
  // kubectl validates manifests against OpenAPI; an empty v2 document makes it leave validation
  // to the server (fieldValidation=Strict) on every version from 1.27 on.
  app.get('/openapi/v2', () => new Response('', { status: 200, headers: { 'content-type': 'application/octet-stream' } }));
  app.get('/swagger-2.0.0.pb-v1', () => new Response('', { status: 200, headers: { 'content-type': 'application/octet-stream' } }));

  app.get('/api', (c) => discovery(c.req.header('accept'), true));
  app.get('/apis', (c) => discovery(c.req.header('accept'), false));
  app.get('/api/v1', () => listOrNotFound('', 'v1'));
  app.get('/apis/:group/:version', (c) => listOrNotFound(c.req.param('group'), c.req.param('version')));

  app.all('/api/v1/*', (c) => handleResource(c, o.ctx, parseResourcePath('', 'v1', rest(c.req.path, 2))));
  app.all('/apis/:group/:version/*', (c) =>
    handleResource(c, o.ctx, parseResourcePath(c.req.param('group'), c.req.param('version'), rest(c.req.path, 3))),
  );
  return app;
}

function discovery(accept: string | undefined, core: boolean): Response {
  const v = aggregatedVersion(accept);
  if (v) return json(200, aggregated(v, core), aggregatedContentType(v));
  return json(200, core ? legacyCore() : legacyGroups());
}

function listOrNotFound(group: string, version: string): Response {
  const list = resourceList(group, version);
  if (!list) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  return json(200, list);
}

// rest returns the path segments after the first `skip` ones (/api/v1/… → after 2).
function rest(path: string, skip: number): string[] {
  return path.split('/').slice(skip + 1);
}
