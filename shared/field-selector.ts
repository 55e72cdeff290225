// field-selector: Kubernetes field selectors (k8s.io/apimachinery/pkg/fields): `path=value`,
// `path==value`, `path!=value`, comma-separated, with `\,` `\=` `\\` escapes. Paths are
// resolved generically on the object, so any dotted field can be selected; an unset field reads
// as "" (so `spec.nodeName=` selects unscheduled pods, as the scheduler's watch does).
import { SelectorError } from './selector-error.js';

export interface FieldRequirement {
  /** key is the dotted field path as written, e.g. "involvedObject.name". */
  readonly key: string;
  readonly operator: 'Equals' | 'NotEquals';
  readonly value: string;
  /** path is key split on dots, kept so matching never splits strings. */
  readonly path: readonly string[];
}

// FIELD_ALIASES maps selectable names to where the value lives, when they differ (Event "source").
const FIELD_ALIASES = new Map([['source', 'source.component']]);
// FIELD_DEFAULTS are the values Kubernetes reports for unset fields that are not strings.
const FIELD_DEFAULTS = new Map([['spec.unschedulable', 'false']]);

// splitTerms splits on commas that are not escaped with a backslash.
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    if (escaped) escaped = false;
    else if (s[i] === '\\') escaped = true;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescapeValue(v: string): string {
  if (!/[\\,=]/.test(v)) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[i + 1];
      if (n !== '\\' && n !== ',' && n !== '=') throw new SelectorError(`invalid field selector: invalid escape sequence: \\${n ?? ''}`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c}`);
    } else out += c;
  }
  return out;
}

/** parseFieldSelector parses a fieldSelector query string; "" selects everything. */
export function parseFieldSelector(s: string): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(s)) {
    if (term.trim() === '') continue;
    const m = /^([^=!]*?)\s*(!=|==|=)(.*)$/s.exec(term);
    const key = m?.[1].trim() ?? '';
    if (!m || key === '' || !/^[A-Za-z0-9_.\-/]+$/.test(key)) {
      throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    }
    const path = (FIELD_ALIASES.get(key) ?? key).split('.');
    reqs.push({ key, operator: m[2] === '!=' ? 'NotEquals' : 'Equals', value: unescapeValue(m[3].trim()), path });
  }
  return reqs;
}

// fieldValue resolves a dotted path on any object; unset fields read as "" (or their default).
function fieldValue(obj: unknown, r: FieldRequirement): string {
  let cur: any = obj;
  for (const seg of r.path) {
    if (cur === null || typeof cur !== 'object') {
      cur = undefined;
      break;
    }
    cur = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return FIELD_DEFAULTS.get(r.key) ?? '';
}

/** matchesFields is true when every field requirement holds on obj. */
export function matchesFields(reqs: readonly FieldRequirement[], obj: unknown): boolean {
  for (const r of reqs) {
    const equal = fieldValue(obj, r) === r.value;
    if (equal !== (r.operator === 'Equals')) return false;
  }
  return true;
}

/** fieldSelectorName returns X for a `metadata.name=X` requirement, so a watch can go straight to one object. */
export function fieldSelectorName(reqs: readonly FieldRequirement[]): string | undefined {
  return reqs.find((r) => r.key === 'metadata.name' && r.operator === 'Equals')?.value;
}
