// label-selector: Kubernetes label selectors (k8s.io/apimachinery/pkg/labels): `a=b`, `a==b`,
// `a!=b`, `a in (x,y)`, `a notin (x)`, `a` (exists), `!a` (does not exist), `a>5`, `a<5`,
// comma-separated and ANDed; and metav1.LabelSelector objects. Parse once, then matching
// allocates nothing, so a controller can run a selector over 50,000 pods in a loop.
import type { LabelSelector } from './api/core.js';
import { SelectorError } from './selector-error.js';
import { isQualifiedName, isValidLabelValue } from './validation/names.js';

export type LabelOperator = 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** values are deduplicated; In/NotIn have at least one, Exists/DoesNotExist none, the rest one. */
  readonly values: readonly string[];
}

// ---- label selector strings -------------------------------------------------------------------

type TokenKind = 'id' | 'in' | 'notin' | '!' | '=' | '==' | '!=' | '>' | '<' | '(' | ')' | ',' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
}

const SPECIAL = new Set(['!', '=', '(', ')', ',', '>', '<']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (isSpace(c)) {
      i++;
    } else if ((c === '!' || c === '=') && s[i + 1] === '=') {
      out.push({ kind: c === '!' ? '!=' : '==', text: `${c}=` });
      i += 2;
    } else if (SPECIAL.has(c)) {
      out.push({ kind: c as TokenKind, text: c });
      i++;
    } else {
      let j = i;
      while (j < s.length && !SPECIAL.has(s[j]) && !isSpace(s[j])) j++;
      const text = s.slice(i, j);
      out.push({ kind: text === 'in' ? 'in' : text === 'notin' ? 'notin' : 'id', text });
      i = j;
    }
  }
  out.push({ kind: 'end', text: '' });
  return out;
}

const OPERATOR_TOKENS: Partial<Record<TokenKind, LabelOperator>> = {
  '=': 'Equals',
  '==': 'Equals',
  '!=': 'NotEquals',
  in: 'In',
  notin: 'NotIn',
  '>': 'Gt',
  '<': 'Lt',
};

class LabelParser {
  private pos = 0;
  constructor(
    private readonly toks: Token[],
    private readonly source: string,
  ) {}

  peek(): Token {
    return this.toks[this.pos];
  }
  next(): Token {
    return this.toks[this.pos < this.toks.length - 1 ? this.pos++ : this.pos];
  }
  fail(msg: string): never {
    throw new SelectorError(`unable to parse label selector "${this.source}": ${msg}`);
  }

  // value reads a token as a value: in values, the words "in" and "notin" are plain identifiers.
  value(t: Token): string | undefined {
    return t.kind === 'id' || t.kind === 'in' || t.kind === 'notin' ? t.text : undefined;
  }

  all(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    if (this.peek().kind === 'end') return reqs;
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'id' && t.kind !== '!') this.fail(`found '${t.text}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.requirement());
      const sep = this.next();
      if (sep.kind === 'end') return reqs;
      if (sep.kind !== ',') this.fail(`found '${sep.text}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (after.kind !== 'id' && after.kind !== '!') this.fail(`found '${after.text}', expected: identifier after ','`);
    }
  }

  requirement(): LabelRequirement {
    let t = this.next();
    const negated = t.kind === '!';
    if (negated) t = this.next();
    if (t.kind !== 'id') this.fail(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const after = this.peek().kind;
    if (after === 'end' || after === ',') return newRequirement(key, negated ? 'DoesNotExist' : 'Exists', []);
    if (negated) this.fail(`found '${this.peek().text}', expected: ',' or 'end of string'`);
    const opTok = this.next();
    const op = OPERATOR_TOKENS[opTok.kind];
    if (!op) this.fail(`found '${opTok.text}', expected: in, notin, =, ==, !=, gt, lt`);
    return newRequirement(key, op, op === 'In' || op === 'NotIn' ? this.valueSet() : this.exactValue());
  }

  exactValue(): string[] {
    const t = this.peek();
    if (t.kind === 'end' || t.kind === ',') return [''];
    this.next();
    const v = this.value(t);
    if (v === undefined) this.fail(`found '${t.text}', expected: identifier`);
    return [v];
  }

  // valueSet reads "(a,b)"; like Kubernetes, empty entries ("()", "(a,)") stand for "".
  valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') this.fail(`found '${open.text}', expected: '('`);
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const t = this.next();
      if (t.kind === ')') {
        if (expectValue) values.push('');
        return values;
      }
      if (t.kind === ',') {
        if (expectValue) values.push('');
        expectValue = true;
        continue;
      }
      const v = this.value(t);
      if (v === undefined || !expectValue) this.fail(`found '${t.text}', expected: ',', ')' or identifier`);
      values.push(v);
      expectValue = false;
    }
  }
}

function newRequirement(key: string, operator: LabelOperator, rawValues: string[]): LabelRequirement {
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) throw new SelectorError(`invalid label key "${key}": ${keyErrs.join('; ')}`);
  const values = [...new Set(rawValues)];
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
    throw new SelectorError(`invalid label selector requirement on "${key}": for 'in', 'notin' operators, values set can't be empty`);
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length) {
    throw new SelectorError(`invalid label selector requirement on "${key}": values set must be empty for exists and does not exist`);
  }
  if ((operator === 'Gt' || operator === 'Lt') && !/^[+-]?\d+$/.test(values[0] ?? '')) {
    throw new SelectorError(`invalid label selector requirement on "${key}": for 'Gt', 'Lt' operators, the value must be an integer`);
  }
  for (const v of values) {
    const errs = isValidLabelValue(v);
    if (errs.length) throw new SelectorError(`invalid label value "${v}" for key "${key}": ${errs.join('; ')}`);
  }
  return { key, operator, values };
}

/** parseLabelSelector parses a labelSelector query string; "" selects everything. */
export function parseLabelSelector(s: string): LabelRequirement[] {
  return new LabelParser(lex(s), s).all();
}

// ---- matching labels --------------------------------------------------------------------------

// labelOf reads a label without tripping over inherited names such as "constructor".
function labelOf(labels: Record<string, string> | undefined, key: string): string | undefined {
  const v = labels?.[key];
  return typeof v === 'string' ? v : undefined;
}

function matchesRequirement(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const v = labelOf(labels, r.key);
  switch (r.operator) {
    case 'Equals':
    case 'In':
      return v !== undefined && r.values.includes(v);
    case 'NotEquals':
    case 'NotIn':
      return v === undefined || !r.values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      if (v === undefined || !/^[+-]?\d+$/.test(v)) return false;
      return r.operator === 'Gt' ? Number(v) > Number(r.values[0]) : Number(v) < Number(r.values[0]);
    }
  }
}

/** matchesLabels is true when every requirement holds (an empty list matches everything). */
export function matchesLabels(reqs: readonly LabelRequirement[], labels?: Record<string, string>): boolean {
  for (const r of reqs) if (!matchesRequirement(r, labels)) return false;
  return true;
}

// ---- metav1.LabelSelector objects -------------------------------------------------------------

const EXPRESSION_OPERATORS = new Map<unknown, LabelOperator>([
  ['In', 'In'],
  ['NotIn', 'NotIn'],
  ['Exists', 'Exists'],
  ['DoesNotExist', 'DoesNotExist'],
]);

/** labelSelectorFromObject converts a LabelSelector (matchLabels + matchExpressions), sorted by key. */
export function labelSelectorFromObject(sel: LabelSelector): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, 'Equals', [String(v)]));
  for (const e of sel.matchExpressions ?? []) {
    const op = EXPRESSION_OPERATORS.get(e?.operator);
    if (!op) throw new SelectorError(`"${e?.operator}" is not a valid label selector operator`);
    reqs.push(newRequirement(String(e.key), op, (e.values ?? []).map(String)));
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  Equals: '=',
  NotEquals: '!=',
  In: ' in ',
  NotIn: ' notin ',
  Gt: '>',
  Lt: '<',
  Exists: '',
  DoesNotExist: '',
};

/** requirementsToString prints requirements in the selector syntax, values sorted as Kubernetes does. */
export function requirementsToString(reqs: readonly LabelRequirement[]): string {
  return reqs
    .map((r) => {
      if (r.operator === 'Exists') return r.key;
      if (r.operator === 'DoesNotExist') return `!${r.key}`;
      const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
      const set = r.operator === 'In' || r.operator === 'NotIn';
      return `${r.key}${OPERATOR_TEXT[r.operator]}${set ? `(${values})` : values}`;
    })
    .join(',');
}

/**
 * labelSelectorToString is what kubectl and Scale.status.selector show: `app=web,tier in (a,b)`.
 * An empty selector prints as "" (it selects everything).
 */
export function labelSelectorToString(sel: LabelSelector): string {
  return requirementsToString(labelSelectorFromObject(sel));
}

function matchesExpression(e: any, labels: Record<string, string> | undefined): boolean {
  if (!e || typeof e.key !== 'string') return false;
  const v = labelOf(labels, e.key);
  const values: unknown[] = Array.isArray(e.values) ? e.values : [];
  switch (e.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    default:
      return false;
  }
}

/**
 * matchLabelSelector matches a LabelSelector object directly, without allocating.
 * As in Kubernetes (LabelSelectorAsSelector): an undefined/null selector matches NOTHING, and an
 * empty selector `{}` matches EVERYTHING. A selector with an unknown operator matches nothing.
 */
export function matchLabelSelector(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const ml = sel.matchLabels;
  if (ml) {
    for (const k in ml) if (labelOf(labels, k) !== ml[k]) return false;
  }
  const me = sel.matchExpressions;
  if (me) {
    for (const e of me) if (!matchesExpression(e, labels)) return false;
  }
  return true;
}
