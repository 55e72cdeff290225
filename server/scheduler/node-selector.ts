// node-selector: matching node labels (and metadata.name) against nodeSelector and node affinity
// terms, as Kubernetes' component-helpers/scheduling/corev1/nodeaffinity does. Terms are compiled once
// per pod so the per-node check is plain comparisons. Terms are ORed, expressions inside a term are
// ANDed, and a term that is empty or malformed matches no node.
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../shared/api/core.js';

type Labels = Readonly<Record<string, string>>;

interface Requirement {
  readonly key: string;
  readonly op: NodeSelectorRequirement['operator'];
  readonly values: readonly string[];
  /** bound is the integer a Gt/Lt requirement compares with. */
  readonly bound: number;
}

/** CompiledTerm is a valid, non-empty NodeSelectorTerm. */
export interface CompiledTerm {
  readonly labels: readonly Requirement[];
  readonly fields: readonly Requirement[];
}

const INTEGER = /^[+-]?\d+$/;

function compileRequirement(r: NodeSelectorRequirement): Requirement | undefined {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      return values.length > 0 ? { key: r.key, op: r.operator, values, bound: 0 } : undefined;
    case 'Exists':
    case 'DoesNotExist':
      return values.length === 0 ? { key: r.key, op: r.operator, values, bound: 0 } : undefined;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1 || !INTEGER.test(values[0])) return undefined;
      return { key: r.key, op: r.operator, values, bound: Number(values[0]) };
    default:
      return undefined;
  }
}

/** compileTerm returns undefined for a term that can match nothing: empty, or malformed (an
 * unknown operator, wrong value count, a non-integer Gt/Lt bound, a field other than In/NotIn with
 * exactly one value). */
export function compileTerm(term: NodeSelectorTerm): CompiledTerm | undefined {
  const exprs = term.matchExpressions ?? [];
  const fieldExprs = term.matchFields ?? [];
  if (exprs.length === 0 && fieldExprs.length === 0) return undefined;
  const labels: Requirement[] = [];
  for (const e of exprs) {
    const r = compileRequirement(e);
    if (!r) return undefined;
    labels.push(r);
  }
  const fields: Requirement[] = [];
  for (const e of fieldExprs) {
    const r = compileRequirement(e);
    if (!r || (r.op !== 'In' && r.op !== 'NotIn') || r.values.length !== 1) return undefined;
    fields.push(r);
  }
  return { labels, fields };
}

function matches(r: Requirement, value: string | undefined): boolean {
  switch (r.op) {
    case 'In':
      return value !== undefined && r.values.includes(value);
    case 'NotIn':
      return value === undefined || !r.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && INTEGER.test(value) && Number(value) > r.bound;
    case 'Lt':
      return value !== undefined && INTEGER.test(value) && Number(value) < r.bound;
  }
}

/** matchesTerm checks one compiled term against a node. The only field is metadata.name; an
 * unknown field reads as "" (Kubernetes' fields.Set). */
export function matchesTerm(term: CompiledTerm, labels: Labels, nodeName: string): boolean {
  for (const r of term.labels) {
    if (!matches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) return false;
  }
  for (const r of term.fields) {
    if (!matches(r, r.key === 'metadata.name' ? nodeName : '')) return false;
  }
  return true;
}

/** matchesAnyTerm ORs the terms; undefined entries (empty or malformed terms) never match. */
export function matchesAnyTerm(terms: readonly (CompiledTerm | undefined)[], labels: Labels, nodeName: string): boolean {
  for (const t of terms) if (t && matchesTerm(t, labels, nodeName)) return true;
  return false;
}

/** matchesNodeSelector: every key=value of spec.nodeSelector must be a node label. */
export function matchesNodeSelector(selector: Labels, labels: Labels): boolean {
  for (const key in selector) {
    if (!Object.hasOwn(labels, key) || labels[key] !== selector[key]) return false;
  }
  return true;
}
