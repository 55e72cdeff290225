// body: reads request bodies. JSON by default (kubectl sends PUT …/scale without a
// Content-Type), YAML when asked; patches are passed on as text for the patch code to parse.
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from './errors.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** parseObjectBody decodes a create/update body into a plain object. */
export function parseObjectBody(text: string, contentType: string | undefined): any {
  const type = mediaType(contentType);
  if (type.includes('protobuf')) throw unsupportedMediaType(type);
  let value: unknown;
  try {
    if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') value = parseYaml(text);
    else if (type === '' || type === 'application/json' || type === '*/*') value = JSON.parse(text);
    else throw unsupportedMediaType(type);
  } catch (e) {
    if (e instanceof SyntaxError || (e as Error)?.name === 'YAMLParseError') {
      throw badRequest(`the request body could not be decoded: ${(e as Error).message.split('\n')[0]}`);
    }
    throw e;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('the request body must be a single JSON or YAML object');
  }
  return value;
}
