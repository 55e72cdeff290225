// errors: a CliError is printed as one line, without a stack.
import type { Status } from '../shared/api/meta.js';

export class CliError extends Error {}

/** ServerError is a failure the API reported, already worded as kubectl words it
 *  ("Error from server (NotFound): …", "The Deployment "x" is invalid: …"), so verbs print it
 *  without main's "error: " prefix. */
export class ServerError extends CliError {
  constructor(
    message: string,
    readonly code: number,
    readonly reason: string,
    readonly status?: Status,
  ) {
    super(message);
  }
}
