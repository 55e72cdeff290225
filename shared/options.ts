// options: one setting, one name. Each option is a flag (--node-name), an environment variable
// (BRAMBLE_NODE_NAME) and a key in an optional YAML config file (node-name or nodeName), in
// that order of precedence, then its default.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// yaml is loaded only when a config file is given: the agent (a bundle that must fit a 1 GB Pi)
// otherwise carries 115 kB of parser it never runs. A plain require the bundler leaves alone.
const load = createRequire(import.meta.url);

export type OptionType = 'string' | 'number' | 'boolean' | 'duration' | 'list';

export interface OptionDef {
  name: string;
  type: OptionType;
  default?: string | number | boolean | string[];
  help: string;
  category: string;
  short?: string;
}

export class UsageError extends Error {}

export type OptionValues = Record<string, any>;

export function envName(name: string): string {
  return `BRAMBLE_${name.toUpperCase().replace(/-/g, '_')}`;
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/** parseDuration accepts "90s", "5m", "24h", "1h30m", "250ms" or a number of seconds; returns ms. */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') return v * 1000;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== s.length || consumed === 0) throw new UsageError(`invalid duration "${v}" (use e.g. 30s, 5m, 24h)`);
  return total;
}

function convert(def: OptionDef, raw: unknown, source: string): unknown {
  const bad = () => new UsageError(`${source}: expected ${def.type}, got ${JSON.stringify(raw)}`);
  switch (def.type) {
    case 'string':
      if (typeof raw === 'object') throw bad();
      return String(raw);
    case 'number': {
      const n = Number(raw);
      if (raw === '' || typeof raw === 'boolean' || !Number.isFinite(n)) throw bad();
      return n;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (['true', '1', 'yes', ''].includes(String(raw))) return true;
      if (['false', '0', 'no'].includes(String(raw))) return false;
      throw bad();
    case 'duration':
      try {
        return parseDuration(raw as string);
      } catch {
        throw bad();
      }
    case 'list':
      return Array.isArray(raw) ? raw.map(String) : String(raw).split(',').map((x) => x.trim()).filter(Boolean);
  }
}

/**
 * resolveOptions reads argv (flags and positionals), the environment and the config file named
 * by --config / BRAMBLE_CONFIG. Unknown flags are a UsageError with one readable line.
 */
export function resolveOptions(defs: OptionDef[], argv: string[], env: NodeJS.ProcessEnv = process.env): { values: OptionValues; positionals: string[] } {
  const all = [...defs, { name: 'config', type: 'string', help: 'YAML file with any of these settings', category: 'General' } as OptionDef];
  const byName = new Map(all.map((d) => [d.name, d]));
  const byShort = new Map(all.filter((d) => d.short).map((d) => [d.short!, d]));
  const fromFlags = new Map<string, unknown>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const long = a.startsWith('--');
    const [flag, inline] = a.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
    let def = long ? byName.get(flag) : byShort.get(flag);
    let negated = false;
    if (!def && long && flag.startsWith('no-') && byName.get(flag.slice(3))?.type === 'boolean') {
      def = byName.get(flag.slice(3));
      negated = true;
    }
    if (!def) throw new UsageError(`unknown flag: ${a}`);
    let raw: unknown;
    if (def.type === 'boolean' && inline === undefined) raw = !negated;
    else if (inline !== undefined) raw = inline;
    else {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs a value: ${a}`);
      raw = argv[++i];
    }
    const v = convert(def, raw, `--${def.name}`);
    if (def.type === 'list' && fromFlags.has(def.name)) fromFlags.set(def.name, [...(fromFlags.get(def.name) as string[]), ...(v as string[])]);
    else fromFlags.set(def.name, v);
  }
  const configPath = (fromFlags.get('config') as string | undefined) ?? env[envName('config')];
  let file: Record<string, unknown> = {};
  if (configPath) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read config file ${configPath}: ${(e as Error).message}`);
    }
    const parsed = (load('yaml') as typeof import('yaml')).parse(text);
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) throw new UsageError(`config file ${configPath} must be a YAML mapping`);
    file = (parsed ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(file)) {
      if (!all.some((d) => d.name === k || camel(d.name) === k)) throw new UsageError(`config file ${configPath}: unknown setting "${k}"`);
    }
  }
  const values: OptionValues = {};
  for (const d of all) {
    const key = camel(d.name);
    const ev = env[envName(d.name)];
    if (fromFlags.has(d.name)) values[key] = fromFlags.get(d.name);
    else if (ev !== undefined) values[key] = convert(d, ev, envName(d.name));
    else if (file[d.name] !== undefined || file[key] !== undefined) values[key] = convert(d, file[d.name] ?? file[key], `${configPath}: ${d.name}`);
    else values[key] = d.default === undefined ? undefined : convert(d, d.default, 'default');
  }
  return { values, positionals };
}

/** helpText lists options grouped by category, each with its environment variable and default. */
export function helpText(usage: string, defs: OptionDef[]): string {
  const lines = [`Usage: ${usage}`, ''];
  const cats = [...new Set(defs.map((d) => d.category))];
  for (const c of cats) {
    lines.push(`${c}:`);
    for (const d of defs.filter((x) => x.category === c)) {
      const flag = `${d.short ? `-${d.short}, ` : ''}--${d.name}${d.type === 'boolean' ? '' : ` ${d.type.toUpperCase()}`}`;
      const dflt = d.default !== undefined && d.default !== '' ? ` (default ${JSON.stringify(d.default)})` : '';
      lines.push(`  ${flag.padEnd(34)} ${d.help}${dflt} [$${envName(d.name)}]`);
    }
    lines.push('');
  }
  lines.push('Every setting can also be given in a YAML file: --config FILE [$BRAMBLE_CONFIG].');
  return lines.join('\n');
}
