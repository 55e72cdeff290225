// iptables: the thin applier. syncRules writes a RuleSet with one `iptables-restore --noflush`
// that declares, flushes and refills only the chains whose text changed (or are missing), and
// deletes Bramble chains that are no longer wanted — kube-proxy's approach — then makes sure each
// jump from a built-in chain exists exactly once (`-C` before `-I`). cleanupRules undoes it all.
import { CHAIN_PREFIX } from './names.js';
import { type Chain, chainKey, HOOKS, type Hook, renderChain, renderRestore, type RuleSet, type Table } from './ruleset.js';

// Exec runs argv (with input on stdin) where the rules live: the host, a lab node, a namespace.
export type Exec = (argv: string[], input?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

// AppliedState is what the last sync wrote: chain key → rendered text. Without it every chain
// is rewritten (same result, more work), as after an agent restart.
export type AppliedState = Map<string, string>;

export interface SyncResult {
  state: AppliedState; // pass to the next syncRules
  written: string[]; // chain keys (table/name) rewritten
  deleted: string[]; // chain keys removed
  hooksInserted: string[]; // "table/CHAIN" of jump rules that were missing
}

const WAIT = ['-w', '5']; // wait for the xtables lock (dockerd edits the same tables)

export async function syncRules(ruleSet: RuleSet, exec: Exec, previous?: AppliedState): Promise<SyncResult> {
  const existing = await listChains(exec);
  const wanted = new Set(ruleSet.chains.map(chainKey));
  const state: AppliedState = new Map(ruleSet.chains.map((c) => [chainKey(c), renderChain(c)]));
  const write = ruleSet.chains.filter((c) => !existing.has(chainKey(c)) || previous?.get(chainKey(c)) !== state.get(chainKey(c)));
  const remove = [...existing].filter((k) => !wanted.has(k)).map(parseKey);
  const input = renderRestore({ write, remove });
  if (input) await must(exec(['iptables-restore', ...WAIT, '--noflush'], input), 'iptables-restore');
  const hooksInserted: string[] = [];
  await ensureDockerUser(exec);
  for (const h of HOOKS) if (await ensureHook(exec, h)) hooksInserted.push(`${h.table}/${h.chain}`);
  return { state, written: write.map(chainKey), deleted: remove.map(chainKey), hooksInserted };
}

// cleanupRules removes the jump rules and every BRAMBLE-* chain, in both tables.
export async function cleanupRules(exec: Exec): Promise<{ deleted: string[]; hooksRemoved: number }> {
  let hooksRemoved = 0;
  for (const h of HOOKS) {
    // A hook may be present more than once if something else inserted it too; remove them all.
    for (let i = 0; i < 16 && (await hookExists(exec, h)); i++) {
      await must(exec(['iptables', ...WAIT, '-t', h.table, '-D', h.chain, ...h.args]), 'iptables -D');
      hooksRemoved++;
    }
  }
  const remove = [...(await listChains(exec))].map(parseKey);
  const input = renderRestore({ write: [], remove });
  if (input) await must(exec(['iptables-restore', ...WAIT, '--noflush'], input), 'iptables-restore');
  return { deleted: remove.map(chainKey), hooksRemoved };
}

// listChains reads the BRAMBLE-* chains of the nat and filter tables that exist now, as
// table/name keys. One iptables-save of every table: with the nf_tables backend, saving one table
// reads the whole rule set anyway (≈ 85 ms with 200 services), so two calls cost twice that.
export async function listChains(exec: Exec): Promise<Set<string>> {
  const found = new Set<string>();
  const out = await must(exec(['iptables-save']), 'iptables-save');
  let table = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const name = /^:(\S+) /.exec(line)?.[1];
    if (name?.startsWith(CHAIN_PREFIX) && (table === 'nat' || table === 'filter')) found.add(`${table}/${name}`);
  }
  return found;
}

function parseKey(key: string): Pick<Chain, 'table' | 'name'> {
  const [table, name] = key.split('/');
  return { table: table as Table, name };
}

async function hookExists(exec: Exec, h: Hook): Promise<boolean> {
  return (await exec(['iptables', ...WAIT, '-t', h.table, '-C', h.chain, ...h.args])).code === 0;
}

// ensureDockerUser creates DOCKER-USER when dockerd has not (yet): dockerd adopts an existing
// chain and its rules at start, so ours survive; until then FORWARD jumps to it from here.
async function ensureDockerUser(exec: Exec): Promise<void> {
  if ((await exec(['iptables', ...WAIT, '-t', 'filter', '-N', 'DOCKER-USER'])).code !== 0) return; // exists
  await must(exec(['iptables', ...WAIT, '-t', 'filter', '-I', 'FORWARD', '1', '-j', 'DOCKER-USER']), 'iptables -I');
}

// ensureHook inserts h at the top of its built-in chain unless it is there; true if inserted.
async function ensureHook(exec: Exec, h: Hook): Promise<boolean> {
  if (await hookExists(exec, h)) return false;
  await must(exec(['iptables', ...WAIT, '-t', h.table, '-I', h.chain, '1', ...h.args]), 'iptables -I');
  return true;
}

async function must(p: ReturnType<Exec>, what: string): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}
