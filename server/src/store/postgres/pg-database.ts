import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import type { PgMigration } from './migrations';
import { NORMALIZE_COLLATION_SQL } from './pg-collation';

/** int8 (BIGINT: times, ids) comes back as a JS number: every value we store is a safe integer. */
const INT8_OID = 20;
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** Placeholders are written `?` (one SQL dialect per repository file reads better); converted once per text. */
const converted = new Map<string, string>();
function toPositional(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    converted.set(sql, out);
  }
  return out;
}

/** What repositories query through: the pool (autocommit) or one transaction's client. */
export interface PgQueryable {
  all<Row extends QueryResultRow>(sql: string, ...params: unknown[]): Promise<Row[]>;
  get<Row extends QueryResultRow>(sql: string, ...params: unknown[]): Promise<Row | undefined>;
  /** Returns the affected row count. */
  run(sql: string, ...params: unknown[]): Promise<number>;
}

class Queryable implements PgQueryable {
  constructor(private readonly target: pg.Pool | PoolClient) {}

  async all<Row extends QueryResultRow>(sql: string, ...params: unknown[]): Promise<Row[]> {
    return (await this.target.query<Row>(toPositional(sql), params)).rows;
  }

  async get<Row extends QueryResultRow>(sql: string, ...params: unknown[]): Promise<Row | undefined> {
    return (await this.target.query<Row>(toPositional(sql), params)).rows[0];
  }

  async run(sql: string, ...params: unknown[]): Promise<number> {
    return (await this.target.query(toPositional(sql), params)).rowCount ?? 0;
  }
}

export interface PgDatabaseOptions {
  readonly connectionString: string;
  /** Pool size per node (default 10). */
  readonly maxConnections?: number;
}

/**
 * A pg connection pool. `tx` runs READ COMMITTED transactions: ordering never relies on
 * SERIALIZABLE (whose anomalies Jepsen documented) but on explicit row locks — the per-app clock
 * row is taken with `UPDATE … RETURNING`, which serializes appends of one app across every node.
 * A transaction's promise resolves only after COMMIT returned, so callers ack durable data.
 */
export class PgDatabase implements PgQueryable {
  readonly pool: pg.Pool;
  private readonly direct: Queryable;
  private closed = false;

  constructor(options: PgDatabaseOptions) {
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10, types: TYPES });
    // An idle client losing its server (restart, network) must not crash the process; the next
    // query gets a fresh connection.
    this.pool.on('error', () => undefined);
    this.direct = new Queryable(this.pool);
  }

  all<Row extends QueryResultRow>(sql: string, ...params: unknown[]): Promise<Row[]> {
    return this.direct.all<Row>(sql, ...params);
  }

  get<Row extends QueryResultRow>(sql: string, ...params: unknown[]): Promise<Row | undefined> {
    return this.direct.get<Row>(sql, ...params);
  }

  run(sql: string, ...params: unknown[]): Promise<number> {
    return this.direct.run(sql, ...params);
  }

  /** Runs `work` in one transaction (READ COMMITTED, or REPEATABLE READ for a consistent read snapshot). */
  async tx<T>(work: (q: PgQueryable) => Promise<T>, isolation: 'read committed' | 'repeatable read' = 'read committed'): Promise<T> {
    if (this.closed) throw new Error('store closed');
    const client = await this.pool.connect();
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
      const result = await work(new Queryable(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** A consistent snapshot for multi-query reads (sync pages, history). */
  read<T>(work: (q: PgQueryable) => Promise<T>): Promise<T> {
    return this.tx(work, 'repeatable read');
  }

  /**
   * Applies the migrations not yet recorded, in order, each in its own transaction. Nodes starting
   * together are serialized by a transaction-scoped advisory lock, so each migration runs once.
   */
  async migrate(migrations: readonly PgMigration[]): Promise<void> {
    // Under the lock too: concurrent CREATE TABLE IF NOT EXISTS is not atomic in PostgreSQL (the loser
    // fails on pg_type_typname_nsp_index instead of skipping), seen when three nodes start together.
    await this.tx(async (q) => {
      await q.run("SELECT pg_advisory_xact_lock(hashtext('lianxin-migrations'))");
      await q.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    });
    const ordered = [...migrations].sort((a, b) => a.version - b.version);
    for (const migration of ordered) {
      await this.tx(async (q) => {
        await q.run("SELECT pg_advisory_xact_lock(hashtext('lianxin-migrations'))");
        const done = await q.get('SELECT 1 AS found FROM schema_migrations WHERE version = ?', migration.version);
        if (done) return;
        await q.run(migration.sql);
        await q.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', migration.version, migration.name, Date.now());
      });
    }
    await this.tx(async (q) => {
      await q.run("SELECT pg_advisory_xact_lock(hashtext('lianxin-migrations'))");
      await q.run(NORMALIZE_COLLATION_SQL);
    });
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
