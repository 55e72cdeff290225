// ruleset: the value computeRules returns and iptables.ts applies — chains per table, each a list
// of rules (iptables arguments after "-A <chain>"), plus the jump rules from the built-in chains.
// A chain's rendered text is its stable fingerprint: the applier rewrites a chain only when the
// text changed.
import { EXTERNAL_SERVICES, FORWARD, NODEPORTS, POSTROUTING, SERVICES } from './names.js';

export type Table = 'nat' | 'filter';

export interface Chain {
  table: Table;
  name: string;
  rules: string[][];
}

export interface RuleSet {
  chains: Chain[]; // sorted by table, then fixed chains, then name
}

// Hook is a jump from a built-in chain into one of ours; it is inserted first in that chain.
export interface Hook {
  table: Table;
  chain: 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING' | 'DOCKER-USER';
  args: string[];
}

const comment = (text: string) => ['-m', 'comment', '--comment', text];
const newConn = ['-m', 'conntrack', '--ctstate', 'NEW'];

// HOOKS are kube-proxy's jump rules, with Bramble's chains.
export const HOOKS: readonly Hook[] = [
  { table: 'nat', chain: 'PREROUTING', args: [...comment('bramble service portals'), '-j', SERVICES] },
  { table: 'nat', chain: 'OUTPUT', args: [...comment('bramble service portals'), '-j', SERVICES] },
  { table: 'nat', chain: 'POSTROUTING', args: [...comment('bramble postrouting rules'), '-j', POSTROUTING] },
  { table: 'filter', chain: 'INPUT', args: [...newConn, ...comment('bramble externally-visible service portals'), '-j', EXTERNAL_SERVICES] },
  { table: 'filter', chain: 'FORWARD', args: [...newConn, ...comment('bramble externally-visible service portals'), '-j', EXTERNAL_SERVICES] },
  { table: 'filter', chain: 'FORWARD', args: [...newConn, ...comment('bramble service portals'), '-j', SERVICES] },
  { table: 'filter', chain: 'OUTPUT', args: [...newConn, ...comment('bramble service portals'), '-j', SERVICES] },
  // Forwarding between pod subnets goes through DOCKER-USER, not FORWARD: dockerd evaluates
  // DOCKER-USER first and keeps it across its restarts, while it re-inserts its own FORWARD jumps
  // (whose DOCKER chain drops traffic into a bridge from outside) above anything of ours.
  { table: 'filter', chain: 'DOCKER-USER', args: [...comment('bramble pod network'), '-j', FORWARD] },
];

const FIXED_ORDER = [SERVICES, EXTERNAL_SERVICES, NODEPORTS, POSTROUTING, FORWARD];

export const chainKey = (c: { table: Table; name: string }) => `${c.table}/${c.name}`;

// compareChains orders nat before filter, the fixed chains first, then by name.
export function compareChains(a: Chain, b: Chain): number {
  if (a.table !== b.table) return a.table === 'nat' ? -1 : 1;
  const fa = FIXED_ORDER.indexOf(a.name);
  const fb = FIXED_ORDER.indexOf(b.name);
  if (fa !== fb) return (fa < 0 ? FIXED_ORDER.length : fa) - (fb < 0 ? FIXED_ORDER.length : fb);
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

// quote makes one argument safe for iptables-restore's tokenizer.
export function quote(arg: string): string {
  return /^[^\s"'\\]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

// renderChain is the chain's "-A" lines: its stable representation.
export function renderChain(c: Chain): string {
  return c.rules.map((r) => ['-A', c.name, ...r].map(quote).join(' ')).join('\n');
}

export interface RestorePlan {
  write: Chain[]; // declared (which flushes them) and refilled
  remove: { table: Table; name: string }[]; // declared (flushed), then deleted
}

// renderRestore is the iptables-restore --noflush input for a plan. Chains not named in it are
// left alone: with --noflush, declaring ":CHAIN - [0:0]" flushes an existing chain, so only the
// chains being rewritten or removed are declared.
export function renderRestore(plan: RestorePlan): string {
  const out: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const write = plan.write.filter((c) => c.table === table);
    const remove = plan.remove.filter((c) => c.table === table);
    if (write.length === 0 && remove.length === 0) continue;
    out.push(`*${table}`);
    for (const c of [...write, ...remove]) out.push(`:${c.name} - [0:0]`);
    for (const c of write) if (c.rules.length > 0) out.push(renderChain(c));
    for (const c of remove) out.push(`-X ${c.name}`);
    out.push('COMMIT');
  }
  return out.length ? out.join('\n') + '\n' : '';
}

// toRestore renders a whole rule set (every chain declared and filled).
export function toRestore(rs: RuleSet): string {
  return renderRestore({ write: rs.chains, remove: [] });
}
