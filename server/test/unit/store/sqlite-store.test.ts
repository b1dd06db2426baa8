import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';
import { describeStoreContract } from '../../../src/store/store.contract';

/** Each store gets its own temp directory (db + WAL + SHM files), removed after the test. */
const directories = new Map<Store, string>();

function open(directory: string): Store {
  const store = createSqliteStore({ file: join(directory, 'store.db') });
  directories.set(store, directory);
  return store;
}

describeStoreContract(
  'sqlite',
  async () => open(mkdtempSync(join(tmpdir(), 'lianxin-store-'))),
  async (store) => {
    const directory = directories.get(store);
    directories.delete(store);
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  },
  async (closed) => {
    const directory = directories.get(closed);
    directories.delete(closed);
    if (directory === undefined) throw new Error('reopen: unknown store');
    return open(directory);
  },
);
