// join-handler: POST /bramble/v1/join. A node that has fetched /cacerts and checked it against
// its token's CA hash presents `Authorization: Bearer <id>.<secret>` and `{ nodeName }`, and gets
// its own credentials back: an API token, an MQTT password and where the broker is. Every
// refused token hears one message, whatever the reason; the reason goes to the debug log.
// With an external broker (--mqtt-url) the node's account on it is made before the answer goes
// out (brokerAccounts), and caCert carries the broker's CA after the cluster CA when they differ
// (--mqtt-ca): the agent trusts caCert for its MQTT session.
import type { Logger } from 'pino';
import { findResource } from '../../shared/api/resources.js';
import type { Clock } from '../../shared/clock.js';
import { parseToken, TOKEN_NAMESPACE, tokenProblem, tokenSecretName } from '../../shared/join-token.js';
import { isDNS1123Subdomain } from '../../shared/validation/names.js';
import { bearerToken } from '../api/auth.js';
import { ApiError, badRequest } from '../api/errors.js';
import { json } from '../api/handlers/context.js';
import { AccountConflict } from '../mqtt/dynsec-accounts.js';
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
  /** caCert: the CA bundle for the answer, when not caCertPem alone (an external broker's CA). */
  caBundle?: string;
  /** brokerAccounts: with an external broker, the nodes' accounts on it (server/mqtt/dynsec-accounts.ts). */
  brokerAccounts?: BrokerAccounts;
}

export interface BrokerAccounts {
  /** prepare throws an AccountConflict if the node cannot have this name on the broker. */
  prepare(node: string): Promise<void>;
  /** provision gives the node its account with this password; resolves once the broker has it. */
  provision(node: string, password: string): Promise<void>;
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
    if (d.brokerAccounts) await brokerStep(d, nodeName, () => d.brokerAccounts!.prepare(nodeName));
    const creds = await d.credentials.issue(nodeName);
    if (d.brokerAccounts) await brokerStep(d, nodeName, () => d.brokerAccounts!.provision(nodeName, creds.mqttPassword));
    d.logger.info({ node: nodeName, tokenId: parts!.id }, 'node joined');
    const body: JoinResponse = {
      nodeName,
      apiToken: creds.apiToken,
      mqtt: { url: d.mqttUrl(new URL(req.url).hostname), username: nodeName, password: creds.mqttPassword },
      caCert: d.caBundle ?? d.caCertPem,
    };
    return json(200, body);
  };
}

// brokerStep runs a step on the external broker: a name it refuses is a conflict (409), a broker
// that fails or does not answer makes the join retryable (503).
async function brokerStep(d: JoinDeps, node: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (err instanceof AccountConflict) throw new ApiError(409, 'Conflict', `cannot join as "${node}": ${err.message}`);
    d.logger.error({ err, node }, 'join failed: the MQTT broker did not take the node\'s account');
    throw new ApiError(503, 'ServiceUnavailable', 'the MQTT broker did not take the node\'s account; try again');
  }
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
