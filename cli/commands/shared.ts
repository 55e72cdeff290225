// shared: small steps several verbs take the same way.
import type { ApiClient } from '../client.js';
import { type CliError, ServerError } from '../errors.js';

/** getOrUndefined GETs an object; a 404 is undefined rather than an error. */
export async function getOrUndefined<T = any>(client: ApiClient, path: string): Promise<T | undefined> {
  try {
    return await client.get<T>(path);
  } catch (e) {
    if (e instanceof ServerError && e.code === 404) return undefined;
    throw e;
  }
}

/** withContext adds kubectl's "error when creating "file.yaml"" to a server error, except for
 *  422s, whose wording kubectl keeps as is. */
export async function withContext<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ServerError) || e.code === 422 || !e.status?.message) throw e;
    throw new ServerError(`Error from server${e.reason ? ` (${e.reason})` : ''}: ${context}: ${e.status.message}`, e.code, e.reason, e.status);
  }
}

/** reportErrors prints errors collected while going through several objects; exit code 1 if any. */
export function reportErrors(errors: CliError[]): number {
  for (const e of errors) console.error(e instanceof ServerError ? e.message : `error: ${e.message}`);
  return errors.length ? 1 : 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
