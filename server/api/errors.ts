// errors: the one place where failures become Kubernetes Status bodies. Handlers throw typed
// errors; the app's error handler calls toStatus. Anything unexpected is logged and answered as
// a 500 InternalError without leaking internals.
import type { Status, StatusCause } from '../../shared/api/meta.js';
import { AlreadyExistsError, ConflictError, ExpiredError, NotFoundError } from '../store/errors.js';
import { PatchError } from './patch/errors.js';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
  }
}

// objectDetails: Status details naming the object; "deployments.apps" → kind deployments, group apps.
function objectDetails(qualified: string, name: string): Status['details'] {
  const [kind, ...group] = qualified.split('.');
  return { name, kind, group: group.join('.') };
}

export const notFound = (qualified: string, name: string) =>
  new ApiError(404, 'NotFound', `${qualified} "${name}" not found`, objectDetails(qualified, name));

export const alreadyExists = (qualified: string, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified} "${name}" already exists`, objectDetails(qualified, name));

export const conflict = (qualified: string, name: string) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    objectDetails(qualified, name),
  );

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const methodNotAllowed = (message: string) => new ApiError(405, 'MethodNotAllowed', message);

export const unsupportedMediaType = (type: string) =>
  new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`, {
    causes: [{ reason: 'UnexpectedServerResponse', message: `unsupported media type "${type}"` }],
  });

export const tooLarge = () => new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');

export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);

export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

export const expired = (message: string) => new ApiError(410, 'Expired', message);

/** invalid builds the 422 kubectl prints as `The Deployment "bad" is invalid: spec.selector: Required value`. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
  const what = group ? `${kind}.${group}` : kind;
  const text = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const message = `${what} "${name}" is invalid: ${text.length > 1 ? `[${text.join(', ')}]` : (text[0] ?? '')}`;
  return new ApiError(422, 'Invalid', message, { name, group, kind, causes });
}

export function toStatus(err: unknown): Status {
  const e = asApiError(err);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: e.message,
    reason: e.reason,
    ...(e.details ? { details: e.details } : {}),
    code: e.code,
  };
}

const PATCH_REASONS = { 400: 'BadRequest', 415: 'UnsupportedMediaType', 422: 'Invalid' } as const;

/** asApiError maps store and patch errors to their HTTP meaning; unknown errors become InternalError. */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof NotFoundError) return new ApiError(404, 'NotFound', err.message, { name: err.objectName, kind: err.resource });
  if (err instanceof AlreadyExistsError) return new ApiError(409, 'AlreadyExists', err.message, { name: err.objectName, kind: err.resource });
  if (err instanceof ConflictError) return new ApiError(409, 'Conflict', err.message, { name: err.objectName, kind: err.resource });
  if (err instanceof ExpiredError) return expired(err.message);
  if (err instanceof PatchError) return new ApiError(err.code, PATCH_REASONS[err.code], err.message);
  return new ApiError(500, 'InternalError', 'an internal error occurred; see the server log');
}

export function successStatus(details: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}
