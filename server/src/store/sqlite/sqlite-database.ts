import Database from 'better-sqlite3';
import type { Migration } from './migrations';

/**
 * Every connection to a store file is configured the same way (the main one here, the group commit's writer
 * thread in sqlite-append-worker.ts). busy_timeout first: another connection holding the write lock (a
 * backup, the writer thread, a second server on the same file) is waited for, never an error.
 *
 * wal_autocheckpoint 10000 pages (≈ 40 MB of WAL at 4 KB pages) instead of SQLite's 1000: a P1 batch of
 * 400 private messages dirties ≈ 2000 pages once the tables hold ~50k messages (the per-owner indexes
 * entries_sync / entries_history / conversations_recent are touched at random), so at 1000 every commit
 * also ran a checkpoint — a second copy of every page and a second fsync. Checkpointing every ~5 batches
 * copies each hot page once for all of them (bench p1-store probe: ≈ −30 % system CPU per append).
 */
export const SQLITE_PRAGMAS: readonly string[] = [
  'busy_timeout = 5000',
  'journal_mode = WAL',
  'synchronous = FULL',
  'foreign_keys = ON',
  'wal_autocheckpoint = 10000',
];

/**
 * One better-sqlite3 connection plus a cache of prepared statements keyed by their SQL text.
 * Statements are prepared on first use rather than at open time because the tables exist only after
 * `migrate()` (which main.ts runs explicitly, never lazily).
 *
 * Durability: WAL with `synchronous = FULL` fsyncs the WAL at every commit. `append` resolves after the
 * commit that holds it, and the gateway PUBACKs after that, so a PUBACKed message survives a power loss,
 * not only a process crash (NORMAL would only promise the latter in WAL mode: its commits reach the OS but
 * the WAL is fsynced at checkpoints only). The fsync per commit is what made one transaction per message
 * slow (bench S0: ≈ 7k single-row FULL commits/s vs ≈ 240k rows/s in 50-row FULL transactions), so message
 * appends are group-committed (sqlite-message-repository.ts) instead of relaxing to NORMAL, and for a file
 * database committed by a writer thread with its own connection (sqlite-append-worker.ts), so the fsync no
 * longer holds the event loop.
 */
export class SqliteDatabase {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement<unknown[], unknown>>();

  constructor(file: string) {
    this.db = new Database(file);
    for (const pragma of SQLITE_PRAGMAS) this.db.pragma(pragma);
  }

  get open(): boolean {
    return this.db.open;
  }

  /** The cached prepared statement for `sql`; rows are typed by the caller. */
  statement(sql: string): Database.Statement<unknown[], unknown> {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  all<Row>(sql: string, ...params: unknown[]): Row[] {
    return this.statement(sql).all(...params) as Row[];
  }

  get<Row>(sql: string, ...params: unknown[]): Row | undefined {
    return this.statement(sql).get(...params) as Row | undefined;
  }

  run(sql: string, ...params: unknown[]): number {
    return this.statement(sql).run(...params).changes;
  }

  /** Runs `work` in a write transaction taken up front (BEGIN IMMEDIATE: no lock upgrade, no SQLITE_BUSY mid-way). */
  write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Runs `work` in a read transaction so that all its queries see one snapshot. */
  read<T>(work: () => T): T {
    return this.db.transaction(work).deferred();
  }

  /** Applies the migrations not recorded in `schema_migrations`, each in its own transaction, in order. */
  migrate(migrations: readonly Migration[]): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((row) => row.version),
    );
    const ordered = [...migrations].sort((a, b) => a.version - b.version);
    for (const migration of ordered) {
      if (applied.has(migration.version)) continue;
      this.write(() => {
        this.db.exec(migration.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, Date.now());
      });
    }
  }

  /** Idempotent. */
  close(): void {
    if (!this.db.open) return;
    this.statements.clear();
    this.db.close();
  }
}
