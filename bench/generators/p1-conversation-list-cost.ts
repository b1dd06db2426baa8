/**
 * What a conversation-list page costs on SQLite for owners with 50, 1,000 and 20,000 conversations (one
 * message to each peer), through the real SqliteStore: `conversations.list(app, owner, 20, 0)`, the mean of
 * 50 calls, along the `conversations_recent` index; `--without-index` drops it first (the list is then read from
 * the primary key's (app_key, owner) range and sorted), to price the index (bench/analysis/p1-private.md Round 5).
 *
 *   node --import tsx bench/generators/p1-conversation-list-cost.ts [--without-index]
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store';

const withIndex = !process.argv.includes('--without-index');
const owners: readonly (readonly [string, number])[] = [['small', 50], ['mid', 1_000], ['big', 20_000]];
const dir = mkdtempSync(path.join(tmpdir(), 'lianxin-list-cost-'));
const file = path.join(dir, 'list.db');
const store = new SqliteStore({ file });
const content = new TextEncoder().encode('{"content":"hi"}');

try {
  await store.migrate();
  if (!withIndex) {
    const side = new Database(file);
    side.exec('DROP INDEX conversations_recent');
    side.close();
  }
  for (const [owner, count] of owners) {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      pending.push(store.messages.append({
        appKey: 'lxbench', fromUserId: owner, conversationType: 1, targetId: `peer-${i}`, objectName: 'RC:TxtMsg', content,
        flags: 3, recipients: [`peer-${i}`], senderSendbox: true, now: Date.now(),
      }));
    }
    await Promise.all(pending);
  }
  const result: Record<string, number> = {};
  for (const [owner, count] of owners) {
    await store.conversations.list('lxbench', owner, 20, 0);
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) await store.conversations.list('lxbench', owner, 20, 0);
    result[`${count} conversations: ms per page of 20`] = Number(((performance.now() - t0) / 50).toFixed(3));
  }
  console.log(JSON.stringify({ withIndex, ...result }));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
