/**
 * P1 store probe: the SQLite store alone, in this process, appending P1-shaped private messages (random
 * pairs among `pairs` senders and receivers, 100-byte content) through the real `SqliteStore` with its
 * group commit, `batch` appends issued per event-loop turn (P1 keeps 200 × 4 = 800 in flight). Compared
 * with `maxBatch: 1` — one transaction and one WAL fsync per message, the engine's behaviour before group
 * commit. Reports appends/s and this process's CPU per append, which is what the server pays per message
 * in the store; the file lives in the OS temp directory like the benchmark servers' data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../server/src/store/sqlite/sqlite-store';
import type { StoredMessage } from '../../server/src/store/store';
import { intFlag } from '../lib/args';
import { FigureSeries, type Scenario, type ScenarioContext, type ScenarioOutput } from './scenario';

interface Probe {
  readonly perSecond: number;
  readonly cpuMicros: number;
}

async function probe(file: string, batch: number, maxBatch: number, total: number, pairs: number): Promise<Probe> {
  const store = new SqliteStore({ file, groupCommit: { maxBatch } });
  await store.migrate();
  const content = new TextEncoder().encode(`{"content":"${'x'.repeat(60)}","extra":"t=12345.678;1.1"}`);
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let done = 0; done < total; done += batch) {
      const pending: Promise<StoredMessage>[] = [];
      for (let i = 0; i < batch; i++) {
        const from = `s${Math.floor(Math.random() * pairs)}`;
        const to = `r${Math.floor(Math.random() * pairs)}`;
        pending.push(
          store.messages.append({
            appKey: 'lxbench', fromUserId: from, conversationType: 1, targetId: to, objectName: 'RC:TxtMsg', content,
            flags: 3, recipients: [to], senderSendbox: true, now: Date.now(),
          }),
        );
      }
      await Promise.all(pending);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { perSecond: total / seconds, cpuMicros: (cpu.user + cpu.system) / total };
  } finally {
    await store.close();
  }
}

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const { flags, smoke } = ctx;
  const total = intFlag(flags, 'messages', smoke ? 400 : 16_000, 10, 1_000_000);
  const batch = intFlag(flags, 'batch', 800, 1, 10_000);
  const pairs = intFlag(flags, 'pairs', 200);
  const single = intFlag(flags, 'single-messages', smoke ? 50 : 2_000, 10, 100_000);
  const runs = intFlag(flags, 'runs', smoke ? 1 : 3, 1, 50);
  const series = new FigureSeries();
  const dir = mkdtempSync(path.join(tmpdir(), 'lianxin-bench-store-'));
  try {
    for (let r = 0; r < runs; r++) {
      const grouped = await probe(path.join(dir, `grouped-${r}.db`), batch, 1024, total, pairs);
      const small = await probe(path.join(dir, `small-${r}.db`), 50, 1024, total, pairs);
      const perMessage = await probe(path.join(dir, `single-${r}.db`), batch, 1, single, pairs);
      series.add('grouped', { label: `Group commit, ${batch} appends per turn`, unit: 'appends/s' }, grouped.perSecond);
      series.add('groupedCpu', { label: `Group commit, ${batch} per turn: CPU per append`, unit: 'µs', decimals: 1 }, grouped.cpuMicros);
      series.add('small', { label: 'Group commit, 50 appends per turn', unit: 'appends/s' }, small.perSecond);
      series.add('smallCpu', { label: 'Group commit, 50 per turn: CPU per append', unit: 'µs', decimals: 1 }, small.cpuMicros);
      series.add('single', { label: 'One transaction per append (maxBatch 1, as before group commit)', unit: 'appends/s' }, perMessage.perSecond);
      series.add('singleCpu', { label: 'One transaction per append: CPU per append', unit: 'µs', decimals: 1 }, perMessage.cpuMicros);
      ctx.log(`p1-store run ${r + 1}/${runs}: ${Math.round(grouped.perSecond)}/s (${grouped.cpuMicros.toFixed(1)} µs) grouped, ${Math.round(small.perSecond)}/s at 50, ${Math.round(perMessage.perSecond)}/s (${perMessage.cpuMicros.toFixed(1)} µs) one per transaction`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    params: { messages: total, batch, pairs, singleMessages: single, dir: tmpdir() },
    runs,
    pinning: 'unpinned (in-process probe)',
    figures: series.figures(),
    notes: ['Each append: message row + inbox and sendbox entries + 2 conversation upserts + the app clock (the latter two once per batch), synchronous=FULL.'],
  };
}

export const p1Store: Scenario = { name: 'p1-store', aliases: ['store'], title: 'P1 store probe (SQLite appends with group commit)', loadSensitive: true, run };
