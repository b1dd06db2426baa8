/**
 * S0 SQLite commit probe: how many write transactions per second this machine's disk allows with the
 * server's settings (WAL, synchronous=FULL) vs NORMAL, one row per transaction vs `batch` rows per
 * transaction (group commit). Runs in this process against a file in the OS temp directory, which is
 * where the benchmark servers keep their data, so it explains the P1 ceiling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { intFlag } from '../lib/args';
import { FigureSeries, type Scenario, type ScenarioContext, type ScenarioOutput } from './scenario';

function probe(file: string, synchronous: 'FULL' | 'NORMAL', batch: number, durationMs: number): number {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE IF NOT EXISTS m (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, body BLOB NOT NULL)');
    const insert = db.prepare('INSERT INTO m (owner, body) VALUES (?, ?)');
    const body = Buffer.alloc(100, 120);
    const write = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run(`user${i % 400}`, body);
    });
    let rows = 0;
    const t0 = performance.now();
    const end = t0 + durationMs;
    // Bounded twice: by time and by a row cap far above any disk's rate.
    while (performance.now() < end && rows < 50_000_000) {
      write.immediate(batch);
      rows += batch;
    }
    return rows / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
  }
}

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const durationMs = intFlag(ctx.flags, 'duration', ctx.smoke ? 200 : 2000, 50, 60_000);
  const batch = intFlag(ctx.flags, 'batch', 50, 2, 10_000);
  const runs = intFlag(ctx.flags, 'runs', ctx.smoke ? 1 : 3, 1, 50);
  const series = new FigureSeries();
  const dir = mkdtempSync(path.join(tmpdir(), 'lianxin-bench-sqlite-'));
  try {
    for (let r = 0; r < runs; r++) {
      for (const sync of ['FULL', 'NORMAL'] as const) {
        const single = probe(path.join(dir, `single-${sync}-${r}.db`), sync, 1, durationMs);
        const grouped = probe(path.join(dir, `batch-${sync}-${r}.db`), sync, batch, durationMs);
        series.add(`single${sync}`, { label: `synchronous=${sync}, 1 row per transaction`, unit: 'rows/s' }, single);
        series.add(`batch${sync}`, { label: `synchronous=${sync}, ${batch} rows per transaction`, unit: 'rows/s' }, grouped);
        ctx.log(`s0 run ${r + 1}/${runs} ${sync}: ${Math.round(single)} rows/s single, ${Math.round(grouped)} rows/s in ${batch}-row transactions`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    params: { durationMs, batch, dir: tmpdir() },
    runs,
    pinning: 'unpinned (in-process probe)',
    figures: series.figures(),
    notes: ['A private message is ~6 statements in one BEGIN IMMEDIATE transaction on the server (clock row, message, 2 entries, 2 conversations), so its ceiling is below the single-row figure.'],
  };
}

export const s0SqliteCommit: Scenario = { name: 's0-sqlite-commit', aliases: ['s0', 'sqlite'], title: 'S0 SQLite commit probe (explains the P1 ceiling)', loadSensitive: true, run };
