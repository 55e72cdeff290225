// sql-log: the change log on libSQL, modelled on kine. One table; the row id is the revision.
//
//   log(rev PK, key, created, deleted, prev_rev, value)
//
// Every write appends a row; the newest row of a key is its current value (a tombstone if
// deleted=1). Compaction deletes rows that a later row at or below the compact revision
// superseded, and tombstones at or below it, so history above the compact revision stays whole.
import { type Client, createClient, type InStatement } from '@libsql/client';

export interface LogRow {
  rev: number;
  key: string;
  created: boolean;
  deleted: boolean;
  prevRev: number;
  value: string;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS log (
     rev INTEGER PRIMARY KEY,
     key TEXT NOT NULL,
     created INTEGER NOT NULL,
     deleted INTEGER NOT NULL,
     prev_rev INTEGER NOT NULL,
     value TEXT NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev)',
  'CREATE INDEX IF NOT EXISTS log_prev_rev ON log (prev_rev)',
  'CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)',
];

export class SqlLog {
  private constructor(private readonly db: Client) {}

  /** open accepts a path (an embedded file) or any libSQL URL (file:, libsql:, http(s):, ws(s):). */
  static async open(urlOrPath: string, authToken?: string): Promise<SqlLog> {
    const url = /^[a-z]+:/.test(urlOrPath) ? urlOrPath : `file:${urlOrPath}`;
    const local = url.startsWith('file:');
    // One connection for a local file: PRAGMAs are per connection, and group commit makes the
    // store the only writer anyway.
    const db = createClient({ url, authToken, concurrency: local ? 1 : undefined, intMode: 'number' });
    if (local) {
      // WAL lets readers run beside the writer; synchronous=FULL fsyncs the WAL at each commit,
      // so an acknowledged write survives a power cut, not just a crash. Group commit keeps the
      // number of fsyncs (SD-card wear) down.
      await db.execute('PRAGMA journal_mode=WAL');
      await db.execute('PRAGMA synchronous=FULL');
      await db.execute('PRAGMA busy_timeout=5000');
    }
    for (const s of SCHEMA) await db.execute(s);
    return new SqlLog(db);
  }

  async compactedRev(): Promise<number> {
    const r = await this.db.execute("SELECT value FROM meta WHERE name = 'compact_rev'");
    return r.rows.length ? Number(r.rows[0].value) : 0;
  }

  async maxRev(): Promise<number> {
    const r = await this.db.execute('SELECT COALESCE(MAX(rev), 0) AS rev FROM log');
    return Number(r.rows[0].rev);
  }

  /** current returns the newest row of every key that is not deleted. */
  async current(): Promise<LogRow[]> {
    const r = await this.db.execute(
      `SELECT l.rev, l.key, l.created, l.deleted, l.prev_rev, l.value FROM log l
       JOIN (SELECT key, MAX(rev) AS rev FROM log GROUP BY key) m ON l.rev = m.rev
       WHERE l.deleted = 0 ORDER BY l.rev`,
    );
    return r.rows.map(toRow);
  }

  /** after returns every row with rev > rev, oldest first (the history a restart replays). */
  async after(rev: number): Promise<LogRow[]> {
    const r = await this.db.execute({
      sql: 'SELECT rev, key, created, deleted, prev_rev, value FROM log WHERE rev > ? ORDER BY rev',
      args: [rev],
    });
    return r.rows.map(toRow);
  }

  async valuesAt(revs: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (let i = 0; i < revs.length; i += 500) {
      const chunk = revs.slice(i, i + 500);
      const r = await this.db.execute({
        sql: `SELECT rev, value FROM log WHERE rev IN (${chunk.map(() => '?').join(',')})`,
        args: chunk,
      });
      for (const row of r.rows) out.set(Number(row.rev), String(row.value));
    }
    return out;
  }

  /** append writes rows in one transaction: one commit, one fsync for the whole group. */
  async append(rows: LogRow[]): Promise<void> {
    const stmts: InStatement[] = rows.map((r) => ({
      sql: 'INSERT INTO log (rev, key, created, deleted, prev_rev, value) VALUES (?, ?, ?, ?, ?, ?)',
      args: [r.rev, r.key, r.created ? 1 : 0, r.deleted ? 1 : 0, r.prevRev, r.value],
    }));
    await this.db.batch(stmts, 'write');
  }

  /** compact removes superseded rows and tombstones at or below rev; returns rows deleted. */
  async compact(rev: number): Promise<number> {
    const rs = await this.db.batch(
      [
        {
          sql: `DELETE FROM log WHERE rev <= ? AND (deleted = 1 OR rev IN
                  (SELECT prev_rev FROM log WHERE rev <= ? AND prev_rev != 0))`,
          args: [rev, rev],
        },
        { sql: "INSERT INTO meta (name, value) VALUES ('compact_rev', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value", args: [rev] },
      ],
      'write',
    );
    return rs[0].rowsAffected;
  }

  close(): void {
    this.db.close();
  }
}

function toRow(r: Record<string, unknown>): LogRow {
  return {
    rev: Number(r.rev),
    key: String(r.key),
    created: Number(r.created) === 1,
    deleted: Number(r.deleted) === 1,
    prevRev: Number(r.prev_rev),
    value: String(r.value),
  };
}
