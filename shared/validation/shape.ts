// shape: type checks that let validators walk any JSON safely. A body can hold anything
// ("replicas": "three", "containers": {}), so every field is checked before it is read, and a
// wrong type becomes a FieldValueTypeInvalid cause instead of a crash.
import { at, type FieldCause, invalid, key, typeInvalid } from './field.js';

export type Obj = Record<string, any>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** isSet treats undefined and null alike, as Go's JSON decoder leaves a null field at its zero value. */
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;

const CHECKS = {
  string: (v: unknown) => typeof v === 'string',
  integer: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
  number: (v: unknown) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v: unknown) => typeof v === 'boolean',
  object: isObject,
  array: Array.isArray,
} as const;

type Expect = keyof typeof CHECKS;

/** typed is true when v is set and of type t; a set value of another type adds a cause. */
export function typed(out: FieldCause[], v: unknown, field: string, t: Expect): boolean {
  if (!isSet(v)) return false;
  if (CHECKS[t](v)) return true;
  out.push(typeInvalid(field, v, t));
  return false;
}

/** str returns v when it is a string, '' when unset, and '' plus a cause otherwise. */
export function str(out: FieldCause[], v: unknown, field: string): string {
  return typed(out, v, field, 'string') ? (v as string) : '';
}

/** int returns v when it is an integer, undefined when unset or of another type (with a cause). */
export function int(out: FieldCause[], v: unknown, field: string): number | undefined {
  return typed(out, v, field, 'integer') ? (v as number) : undefined;
}

/** objects returns the object items of a list with their paths; other items get a cause. */
export function objects(out: FieldCause[], v: unknown, field: string): [Obj, string][] {
  if (!typed(out, v, field, 'array')) return [];
  const items: [Obj, string][] = [];
  (v as unknown[]).forEach((item, i) => {
    if (typed(out, item, at(field, i), 'object')) items.push([item as Obj, at(field, i)]);
    else if (!isSet(item)) out.push(typeInvalid(at(field, i), item, 'object'));
  });
  return items;
}

/** strings returns the string items of a list with their indexes; other items get a cause. */
export function strings(out: FieldCause[], v: unknown, field: string): [string, number][] {
  if (!typed(out, v, field, 'array')) return [];
  const items: [string, number][] = [];
  (v as unknown[]).forEach((item, i) => {
    if (typeof item === 'string') items.push([item, i]);
    else out.push(typeInvalid(at(field, i), item, 'string'));
  });
  return items;
}

/** stringMap returns the string entries of a map[string]string; other values get a cause. */
export function stringMap(out: FieldCause[], v: unknown, field: string): [string, string][] {
  if (!typed(out, v, field, 'object')) return [];
  const entries: [string, string][] = [];
  for (const [k, val] of Object.entries(v as Obj)) {
    if (typeof val === 'string') entries.push([k, val]);
    else out.push(typeInvalid(key(field, k), val, 'string'));
  }
  return entries;
}

/** nonNegative checks an optional integer field that must be >= 0. */
export function nonNegative(out: FieldCause[], v: unknown, field: string): number | undefined {
  const n = int(out, v, field);
  if (n !== undefined && n < 0) out.push(invalid(field, n, 'must be greater than or equal to 0'));
  return n;
}

/** deepEqual compares two JSON values, ignoring key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((v, i) => deepEqual(v, bs[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Obj)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Obj)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}
