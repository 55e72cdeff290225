// selector-error: SelectorError is a malformed label or field selector; the API answers it with
// 400 BadRequest.
export class SelectorError extends Error {
  override name = 'SelectorError';
}
