// api-errors: turns an API failure into the line kubectl would print for it (KUBECTL.md §5), so
// users and scripts see the same wording from Bramble as from kubectl.
import type { Status, StatusCause } from '../shared/api/meta.js';
import { CliError, ServerError } from './errors.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const VERBS: Record<string, string> = { GET: 'get', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete' };

/** apiFailure words a non-2xx reply: a 401 is an `error:` line; the rest read "Error from server …". */
export function apiFailure(method: string, path: string, code: number, body: string): CliError {
  if (code === 401) return new CliError('You must be logged in to the server (Unauthorized)');
  const status = parseStatus(body);
  if (!status) return plainFailure(method, path, code, body);
  const reason = status.reason ?? '';
  if (code === 422 && WRITE_METHODS.has(method)) return new ServerError(invalidMessage(status), code, reason, status);
  const message = status.message ?? body;
  return new ServerError(reason ? `Error from server (${reason}): ${message}` : `Error from server: ${message}`, code, reason, status);
}

/** invalidMessage is kubectl's 422 wording, built from details (the message is ignored):
 *  `The Deployment "bad" is invalid: spec.selector: Required value`, one `* ` line per cause if several. */
export function invalidMessage(status: Status): string {
  const d = status.details;
  const head = d?.kind || d?.name ? `The ${d.kind ?? ''} "${d.name ?? ''}" is invalid` : (status.message ?? 'The request is invalid');
  const causes = (d?.causes ?? []).map(causeText);
  if (causes.length === 0) return head;
  if (causes.length === 1) return `${head}: ${causes[0]}`;
  return `${head}: \n${causes.map((c) => `* ${c}`).join('\n')}`;
}

function causeText(c: StatusCause): string {
  return c.field ? `${c.field}: ${c.message}` : c.message;
}

function parseStatus(body: string): Status | undefined {
  try {
    const v = JSON.parse(body);
    return v && typeof v === 'object' && v.kind === 'Status' ? (v as Status) : undefined;
  } catch {
    return undefined;
  }
}

// plainFailure words a reply that is not a Status (a proxy, an old server), as kubectl does.
function plainFailure(method: string, path: string, code: number, body: string): ServerError {
  const text = body.trim();
  if (code === 404) {
    return new ServerError(`Error from server (NotFound): the server could not find the requested resource (${VERBS[method] ?? method.toLowerCase()} ${resourceOf(path)})`, code, 'NotFound');
  }
  if (code >= 500) {
    return new ServerError(`Error from server (InternalError): an error on the server ("${text}") has prevented the request from succeeding`, code, 'InternalError');
  }
  return new ServerError(`Error from server: ${text || `HTTP ${code}`}`, code, '');
}

// resourceOf finds the resource in an API path: /api/v1/namespaces/default/pods/x → pods.
function resourceOf(path: string): string {
  const parts = path.split('?')[0].split('/').filter(Boolean);
  let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  return rest[0] ?? path;
}
