import type { AppendOutcome } from '../message-append-batcher';
import type { PgQueryable } from './pg-database';

/**
 * Runs one append of a batch inside its own savepoint: a failing one is rolled back alone and reported as
 * its outcome, the others of the transaction stay. If the rollback itself fails the connection or the
 * transaction is gone, and the whole batch fails with the original error.
 */
export async function inSavepoint<T>(q: PgQueryable, work: () => Promise<T>): Promise<AppendOutcome<T>> {
  await q.run('SAVEPOINT append_one');
  try {
    const value = await work();
    await q.run('RELEASE SAVEPOINT append_one');
    return { ok: true, value };
  } catch (error) {
    await q.run('ROLLBACK TO SAVEPOINT append_one').catch(() => {
      throw error;
    });
    return { ok: false, error };
  }
}
