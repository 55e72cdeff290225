// field: Kubernetes' field.Error vocabulary (k8s.io/apimachinery/pkg/util/validation/field) as
// StatusCause values. Reasons and message bodies match the apiserver's, so kubectl prints
// `The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
import type { StatusCause } from '../api/meta.js';

export type CauseReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTypeInvalid'
  | 'FieldValueForbidden'
  | 'FieldValueNotFound';

export interface FieldCause extends StatusCause {
  reason: CauseReason;
  field: string;
}

/** ValidateOptions: update marks a PUT/PATCH; old, when given, enables immutability checks. */
export interface ValidateOptions {
  update?: boolean;
  old?: unknown;
}

/** Raw is a value already rendered the way Go's %#v would print it (maps, structs). */
export class Raw {
  constructor(readonly text: string) {}
}

/** goStringMap renders a label map as Go does: map[string]string{"a":"b", "c":"d"}, keys sorted. */
export function goStringMap(m: unknown): Raw {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return new Raw('map[string]string(nil)');
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(String((m as Record<string, unknown>)[k]))}`);
  return new Raw(`map[string]string{${entries.join(', ')}}`);
}

/** formatValue prints a bad value like field.Error.ErrorBody: strings quoted, numbers bare. */
export function formatValue(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

const cause = (reason: CauseReason, field: string, message: string): FieldCause => ({ reason, message, field });
const withDetail = (head: string, detail: string) => (detail ? `${head}: ${detail}` : head);

export const required = (field: string, detail = ''): FieldCause => cause('FieldValueRequired', field, withDetail('Required value', detail));

export const invalid = (field: string, value: unknown, detail: string): FieldCause =>
  cause('FieldValueInvalid', field, withDetail(`Invalid value: ${formatValue(value)}`, detail));

/** invalidOmitted reports a bad value without echoing it (secret data). */
export const invalidOmitted = (field: string, detail: string): FieldCause => cause('FieldValueInvalid', field, withDetail('Invalid value', detail));

export const notSupported = (field: string, value: unknown, supported: readonly string[]): FieldCause =>
  cause(
    'FieldValueNotSupported',
    field,
    withDetail(`Unsupported value: ${formatValue(value)}`, supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : ''),
  );

export const duplicate = (field: string, value: unknown, detail = ''): FieldCause =>
  cause('FieldValueDuplicate', field, withDetail(`Duplicate value: ${formatValue(value)}`, detail));

export const tooLong = (field: string, maxBytes: number): FieldCause =>
  cause('FieldValueTooLong', field, `Too long: may not be more than ${maxBytes} bytes`);

export const forbidden = (field: string, detail: string): FieldCause => cause('FieldValueForbidden', field, withDetail('Forbidden', detail));

export const notFound = (field: string, value: unknown): FieldCause => cause('FieldValueNotFound', field, `Not found: ${formatValue(value)}`);

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export function jsonType(v: unknown): JsonType {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  return 'object';
}

/**
 * typeInvalid reports a value of the wrong JSON type, worded like the apiserver's OpenAPI check:
 * `Invalid value: "three": spec.replicas in body must be of type integer: "string"`.
 */
export function typeInvalid(field: string, value: unknown, expected: Exclude<JsonType, 'null'>): FieldCause {
  const actual = jsonType(value);
  const shown = typeof value === 'object' && value !== null ? actual : value;
  return cause('FieldValueTypeInvalid', field, `Invalid value: ${formatValue(shown)}: ${field ? `${field} in body` : 'body'} must be of type ${expected}: "${actual}"`);
}

/** child appends field names to a path: child('spec', 'template') is "spec.template". */
export function child(path: string, ...names: string[]): string {
  let p = path;
  for (const n of names) p = p ? `${p}.${n}` : n;
  return p;
}

export const at = (path: string, i: number): string => `${path}[${i}]`;
export const key = (path: string, k: string): string => `${path}[${k}]`;
