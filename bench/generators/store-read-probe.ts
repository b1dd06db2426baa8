/**
 * Per-owner read costs of the SQLite store (bench/analysis/p1-private.md round 17): one owner, 10,000 private
 * messages with 50 peers (a third of them sent by the owner), appended through the real SqliteStore 200 at a
 * time; then, three times over: a pull of the whole backlog in pages of 200, history pages of 20 (5 per
 * conversation, walking back from the newest, then forward from the oldest), the conversation list of 50, and
 * the unread counts of every conversation (the inbox list, and the 50 conversations named in one call).
 * Prints one JSON line per round.
 *
 *   node --import tsx bench/generators/store-read-probe.ts [--messages 10000] [--peers 50] [--history-pages 5] [--unread N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store';
import { APP, PRIVATE, T0, privateMessage } from '../../server/src/store/contract/contract-support';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const messages = flag('messages', 10_000);
const historyPages = flag('history-pages', 5);
/** Every conversation read up to the message that leaves this many newest unread (all by default). */
const unread = flag('unread', messages);
const peers = Array.from({ length: flag('peers', 50) }, (_, i) => `p${i}`);
const dir = mkdtempSync(path.join(tmpdir(), 'lianxin-read-probe-'));
const store = new SqliteStore({ file: path.join(dir, 'probe.db') });
const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

try {
  await store.migrate();
  for (let i = 0; i < messages; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, messages - i) }, (_, k) => {
      const n = i + k;
      const peer = peers[n % peers.length] as string;
      return store.messages.append(n % 3 === 0 ? privateMessage('me', peer, { now: T0 + n }) : privateMessage(peer, 'me', { now: T0 + n }));
    }));
  }
  if (unread < messages) {
    const readTime = T0 + messages - 1 - unread;
    await store.readPositions.advance(APP, 'me', peers.map((targetId) => ({ conversation: { type: PRIVATE, targetId }, readTime })), T0 + messages);
  }
  for (let round = 0; round < 3; round++) {
    let t = process.hrtime.bigint();
    let inbox = 0;
    let sendbox = 0;
    let pulled = 0;
    for (let pages = 0; pages < 10_000; pages++) {
      const page = await store.messages.sync(APP, 'me', inbox, sendbox, 200, 0);
      pulled += page.entries.length;
      inbox = page.syncTime;
      sendbox = page.sendboxTime;
      if (!page.hasMore) break;
    }
    const pullMs = ms(t);
    t = process.hrtime.bigint();
    for (const peer of peers) {
      let time = 0;
      for (let page = 0; page < historyPages; page++) {
        const history = await store.messages.history({ appKey: APP, owner: 'me', conversation: { type: PRIVATE, targetId: peer }, time, count: 20, order: 0 });
        time = history.messages[history.messages.length - 1]?.message.sentTime ?? 0;
      }
    }
    const historyMs = ms(t) / (peers.length * historyPages);
    t = process.hrtime.bigint();
    for (const peer of peers) {
      let time = 0;
      for (let page = 0; page < historyPages; page++) {
        const history = await store.messages.history({ appKey: APP, owner: 'me', conversation: { type: PRIVATE, targetId: peer }, time, count: 20, order: 1 });
        time = history.messages[0]?.message.sentTime ?? time;
      }
    }
    const forwardMs = ms(t) / (peers.length * historyPages);
    t = process.hrtime.bigint();
    for (let k = 0; k < 20; k++) await store.conversations.list(APP, 'me', peers.length, 0);
    const listMs = ms(t) / 20;
    t = process.hrtime.bigint();
    for (let k = 0; k < 20; k++) await store.unreadCounts.listInbox(APP, 'me', Number.MAX_SAFE_INTEGER, 0, 100);
    const unreadMs = ms(t) / 20;
    t = process.hrtime.bigint();
    const conversations = peers.map((targetId) => ({ type: PRIVATE, targetId }));
    for (let k = 0; k < 20; k++) await store.unreadCounts.unreadOf(APP, 'me', conversations, Number.MAX_SAFE_INTEGER, 0);
    const unreadOfMs = ms(t) / 20;
    const round2 = (value: number): number => Math.round(value * 100) / 100;
    console.log(JSON.stringify({
      pulled, pullMs: round2(pullMs), historyMsPerPage: round2(historyMs), forwardMsPerPage: round2(forwardMs), listMs: round2(listMs), unreadListMs: round2(unreadMs), unreadOfMs: round2(unreadOfMs),
    }));
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
