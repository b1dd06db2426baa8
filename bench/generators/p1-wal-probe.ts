/**
 * P1 write-amplification probe: P1-shaped private messages (random pairs among 200 senders and 200 receivers,
 * 100-byte content) appended through the real SqliteStore and its writer thread, `--prefill` messages first
 * (the per-owner B-trees grow with the store), then `--measure` more, `--batch` appends issued per turn.
 * Prints one JSON line: appends/s, process CPU per append (both threads), and — with `--frames` — WAL pages
 * (frames) written per message: a side connection holds a read transaction over the measured window, so
 * the WAL is never rewound and its growth counts every frame (checkpoint copies not included). `--sql`
 * runs statements on the store after migrating (for example `DROP INDEX conversations_recent`, to price an index);
 * `--move-at N` sets the store's `moveAtRows` (how many pending per-owner rows make the writer move them; a huge
 * value prices the moves by leaving them out).
 *
 *   node --import tsx bench/generators/p1-wal-probe.ts [--prefill 48000] [--measure 16000] [--batch 400] [--frames] [--sql "…;…"] [--move-at N]
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : (process.argv[at + 1] ?? '');
}

const prefill = Number(flag('prefill') ?? 48_000);
const measure = Number(flag('measure') ?? 16_000);
const batch = Number(flag('batch') ?? 400);
const frames = process.argv.includes('--frames');
const statements = (flag('sql') ?? '').split(';').map((s) => s.trim()).filter((s) => s !== '');
const pairs = 200;

const dir = mkdtempSync(path.join(tmpdir(), 'lianxin-wal-probe-'));
const file = path.join(dir, 'probe.db');
const moveAt = flag('move-at');
const store = new SqliteStore({ file, ...(moveAt === undefined ? {} : { moveAtRows: Number(moveAt) }) });
const content = new TextEncoder().encode(`{"content":"${'x'.repeat(60)}","extra":"t=12345.678;1.1"}`);

async function append(total: number): Promise<void> {
  for (let done = 0; done < total; done += batch) {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < batch; i++) {
      const from = `bench-s${Math.floor(Math.random() * pairs)}`;
      const to = `bench-r${Math.floor(Math.random() * pairs)}`;
      pending.push(store.messages.append({
        appKey: 'lxbench', fromUserId: from, conversationType: 1, targetId: to, objectName: 'RC:TxtMsg', content,
        flags: 3, recipients: [to], senderSendbox: true, now: Date.now(),
      }));
    }
    await Promise.all(pending);
  }
}

try {
  await store.migrate();
  const side = new Database(file);
  side.pragma('busy_timeout = 5000');
  for (const sql of statements) side.exec(sql);
  await append(prefill);
  const pageSize = side.pragma('page_size', { simple: true }) as number;
  let walBefore = 0;
  if (frames) {
    side.pragma('wal_checkpoint(TRUNCATE)');
    // A reader whose snapshot ends inside the WAL keeps it from being rewound (one that reads only the
    // database file, as right after the truncate, would not).
    await append(batch);
    side.exec('BEGIN');
    side.prepare('SELECT count(*) FROM app_clocks').get();
    walBefore = statSync(`${file}-wal`).size;
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await append(measure);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const walPages = frames ? (statSync(`${file}-wal`).size - walBefore) / (pageSize + 24) : undefined;
  if (frames) side.exec('COMMIT');
  side.close();
  console.log(JSON.stringify({
    prefill, measure, batch, sql: statements,
    appendsPerSecond: Math.round(measure / seconds),
    cpuMicrosPerAppend: Number(((cpu.user + cpu.system) / measure).toFixed(1)),
    ...(walPages !== undefined && { walPagesPerMessage: Number((walPages / measure).toFixed(2)) }),
  }));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
