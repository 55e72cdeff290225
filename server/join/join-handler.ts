// join-handler: POST /bramble/v1/join. A node that has fetched /cacerts and checked it against
// its token's CA hash presents `Authorization: Bearer <id>.<secret>` and `{ nodeName }`, and gets
// its own credentials back: an API token, an MQTT password and where the broker is. Every
// refused token hears one message, whatever the reason; the reason goes to the debug log.
import type { Logger } from 'pino';
import { findResource } from '../../shared/api/resources.js';
import type { Clock } from '../../shared/clock.js';
import { parseToken, TOKEN_NAMESPACE, tokenProblem, tokenSecretName } from '../../shared/join-token.js';
import { isDNS1123Subdomain } from '../../shared/validation/names.js';
import { bearerToken } from '../api/auth.js';
import { ApiError, badRequest } from '../api/errors.js';
import { json } from '../api/handlers/context.js';
import type { ObjectService } from '../objects/object-service.js';
import { credentialsSecretName, type NodeCredentials } from './credentials.js';

const SECRETS = findResource('', 'v1', 'secrets')!;
export const JOIN_REFUSED = 'join token is invalid, expired or revoked';
const MAX_BODY = 16 * 1024;
const MAX_NODE_NAME = 253 - credentialsSecretName('').length;

export interface JoinDeps {
  objects: ObjectService;
  credentials: NodeCredentials;
  clock: Clock;
  logger: Logger;
  caCertPem: string;
  /** mqttUrl: the broker's URL for a node that reached the API at `host`. */
  mqttUrl(host: string): string;
}

export interface JoinResponse {
  nodeName: string;
  apiToken: string;
  mqtt: { url: string; username: string; password: string };
  caCert: string;
}

export function joinHandler(d: JoinDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    const parts = parseToken(bearerToken(req.headers.get('authorization') ?? undefined) ?? '');
    const secret = parts && d.objects.find(SECRETS, TOKEN_NAMESPACE, tokenSecretName(parts.id));
    const problem = parts ? tokenProblem(secret, parts, d.clock.now()) : 'no token, or not <id>.<secret>';
    if (problem) {
      d.logger.debug({ tokenId: parts?.id, reason: problem }, 'join refused');
      throw new ApiError(401, 'Unauthorized', JOIN_REFUSED);
    }
    const nodeName = nodeNameOf(await readBody(req));
    const creds = await d.credentials.issue(nodeName);
    d.logger.info({ node: nodeName, tokenId: parts!.id }, 'node joined');
    const body: JoinResponse = {
      nodeName,
      apiToken: creds.apiToken,
      mqtt: { url: d.mqttUrl(new URL(req.url).hostname), username: nodeName, password: creds.mqttPassword },
      caCert: d.caCertPem,
    };
    return json(200, body);
  };
}

function nodeNameOf(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest('the join request must be a JSON object: { "nodeName": "…" }');
  }
  const name = (body as { nodeName?: unknown } | null)?.nodeName;
  if (typeof name !== 'string' || !name) throw badRequest('nodeName is required');
  const errs = isDNS1123Subdomain(name);
  if (name.length > MAX_NODE_NAME) errs.push(`must be no more than ${MAX_NODE_NAME} characters`);
  if (errs.length) throw badRequest(`invalid nodeName "${name}": ${errs.join(', ')}`);
  return name;
}

async function readBody(req: Request): Promise<string> {
  if (!req.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', `the join request is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
