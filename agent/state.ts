// state: offline autonomy. The last desired state the server sent is kept in DATA_DIR/desired.json,
// so an agent restarted while the server is down (a power cut at a remote site) brings its pods
// back from disk instead of waiting for a server that may be gone for days.
//
// The file holds the node's Secrets too, hence 0600. It is replaced atomically (files.ts), so a
// power cut mid-write leaves the previous state, never a torn one.
import { join } from 'node:path';
import type { DesiredState } from '../shared/mqtt/payloads.js';
import { ensurePrivateDir, readIfExists, writeFileAtomic } from './files.js';

export const DESIRED_FILE = 'desired.json';

export interface Logger {
  warn(obj: object, msg: string): void;
}

export class DesiredStateStore {
  private current: DesiredState | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly log?: Logger,
  ) {}

  get path(): string {
    return join(this.dataDir, DESIRED_FILE);
  }

  /** last is the newest state accepted so far (from disk or the server). */
  get last(): DesiredState | undefined {
    return this.current;
  }

  /** load reads the saved state; a missing or unreadable file means "nothing saved" (with a warning). */
  async load(): Promise<DesiredState | undefined> {
    let text: string | undefined;
    try {
      text = await readIfExists(this.path);
    } catch (e) {
      this.log?.warn({ err: (e as Error).message }, `cannot read ${this.path}; starting without a saved desired state`);
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      const s = JSON.parse(text) as DesiredState;
      if (!isDesiredState(s)) throw new Error('not a desired state');
      this.current = s;
      return s;
    } catch (e) {
      this.log?.warn({ err: (e as Error).message }, `ignoring corrupt ${this.path}`);
      return undefined;
    }
  }

  /**
   * accept decides whether s replaces the current state: a newer revision always does; an older
   * or equal one only when `authoritative` (the broker's retained copy, i.e. what the server holds
   * now — after a server restore, revisions may go backwards). Accepted states are saved to disk
   * before accept resolves.
   */
  async accept(s: DesiredState, authoritative = false): Promise<boolean> {
    const cur = this.current;
    if (cur && s.revision <= cur.revision && !(authoritative && s.revision !== cur.revision)) return false;
    this.current = s;
    const write = this.writing.then(() => this.save(s));
    this.writing = write.catch(() => undefined);
    await write;
    return true;
  }

  private async save(s: DesiredState): Promise<void> {
    if (this.current !== s) return; // a newer state was accepted while this one waited its turn
    await ensurePrivateDir(this.dataDir);
    await writeFileAtomic(this.path, JSON.stringify(s), 0o600);
  }
}

/** isDesiredState checks the shape well enough to hand the state to the pod workers. */
export function isDesiredState(s: unknown): s is DesiredState {
  const o = s as DesiredState;
  return (
    !!o && typeof o === 'object' && o.v === 1 && Number.isFinite(o.revision) && Array.isArray(o.pods) && Array.isArray(o.configMaps) && Array.isArray(o.secrets)
  );
}
