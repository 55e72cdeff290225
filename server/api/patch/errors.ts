// errors: PatchError is a patch the server cannot apply. code is the HTTP status the API answers
// with: 400 for a malformed body, 415 for an unknown patch type, 422 for a well-formed patch that
// does not apply to this object (a JSON-patch test that fails, a path that is missing).
export type PatchErrorCode = 400 | 415 | 422;

export class PatchError extends Error {
  override name = 'PatchError';
  constructor(
    readonly code: PatchErrorCode,
    message: string,
  ) {
    super(message);
  }
}
