// body: reads request bodies. JSON by default (kubectl sends PUT …/scale without a
// Content-Type), YAML when asked; patches are passed on as text for the patch code to parse.
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType } from './errors.js';
import { decodeKubeProtobuf, ProtobufError } from './protobuf/decode.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** parseObjectBody decodes a create/update body (JSON, YAML, or kubectl's protobuf) into a plain object. */
export function parseObjectBody(body: string | Uint8Array, contentType: string | undefined): any {
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeKubeProtobuf(typeof body === 'string' ? Buffer.from(body) : body);
    } catch (e) {
      if (e instanceof ProtobufError) throw new ApiError(415, 'UnsupportedMediaType', e.message);
      throw e;
    }
  }
  if (type.includes('protobuf')) throw unsupportedMediaType(type);
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
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
