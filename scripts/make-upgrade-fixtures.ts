/**
 * `node --import tsx scripts/make-upgrade-fixtures.ts [--force] [--only SHA7,…]`, from the repository root, in a
 * clone that has the commits of GENERATIONS (server/test/e2e/upgrade-support.ts): makes the SQLite upgrade
 * fixtures that server/test/e2e/upgrade.test.ts replays on the current server. For each old commit it makes a
 * git worktree (node_modules symlinked from this tree; removed at the end) and runs that commit's server twice
 * on a fresh data directory:
 *  - graceful: `fill` (upgrade-support.ts), `observe` (what the OLD server answers becomes the expected value),
 *    SIGTERM;
 *  - crash: three senders until 450 PUBACKs, then SIGKILL with sends in flight; the directory stays exactly as
 *    the crash left it (WAL, shm, lock holder).
 * Each directory is packed into server/test/fixtures/upgrade/<sha7>-<graceful|crash>.tar.br (ustar + brotli,
 * node:zlib only; `brotli -dc F | tar x` opens it) beside <sha7>-<scenario>.expected.json. Existing fixtures are kept (they
 * cannot be made again byte for byte) unless --force; --only limits the run to some commits.
 *
 * Time: nothing in the fixtures may age. The app keeps messages 3650 days (offlineRetentionDays' maximum) and
 * tokens never expire (no tokenTtlMs). What still depends on the wall clock — the user/block (≤ 30 days), the
 * 600-minute gag, chatroom idle/timed destruction, pending sweeps — is handled by the suite: the current server
 * runs with its clock starting at the expected JSON's `clockStart` (the moment the old server stopped or died,
 * plus 2 s; test/support/shifted-clock.cjs). Old and current servers run with TZ=UTC (the Server API's date
 * strings are local time). Ids are fixed strings (no time in them); message UIds and times
 * are whatever the old server assigned, recorded in the expected JSON.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/support/server-launcher';
import {
  APP,
  FIXTURE_DIR,
  GENERATIONS,
  crashTraffic,
  fill,
  fixtureArchive,
  fixtureExpected,
  listTree,
  observe,
  packDir,
  startOld,
  type CrashExpected,
  type Generation,
  type GracefulExpected,
  type Scenario,
} from '../server/test/e2e/upgrade-support';

const CLOCK_GAP_MS = 2000;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const force = process.argv.includes('--force');
const only = flag('only')?.split(',');

if (!existsSync(join(REPO_ROOT, 'server', 'src', 'main.ts'))) throw new Error('run from the repository root');

function worktree(base: string, sha: string): string {
  const dir = join(base, sha.slice(0, 7));
  execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, sha], { cwd: REPO_ROOT, stdio: 'ignore' });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** JSON with objects expanded two levels deep and arrays of objects one element a line: small and diffable. */
function pretty(value: unknown, depth = 0): string {
  const pad = ' '.repeat(depth + 1);
  const end = ' '.repeat(depth);
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === 'object')) {
    return `[\n${value.map((v) => `${pad}${JSON.stringify(v)}`).join(',\n')}\n${end}]`;
  }
  if (depth < 2 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return `{\n${Object.entries(value).map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pretty(v, depth + 1)}`).join(',\n')}\n${end}}`;
  }
  return JSON.stringify(value);
}

function save(gen: Generation, scenario: Scenario, dataDir: string, expected: GracefulExpected | CrashExpected): void {
  const archive = packDir(dataDir);
  writeFileSync(fixtureArchive(gen.sha, scenario), archive);
  writeFileSync(fixtureExpected(gen.sha, scenario), `${pretty(expected)}\n`);
  const json = statSync(fixtureExpected(gen.sha, scenario)).size;
  console.log(`${gen.sha.slice(0, 7)}-${scenario}: archive ${archive.length} B, expected ${json} B; ${expected.files.map(([p, s]) => `${p} ${s}`).join(', ')}`);
}

async function graceful(gen: Generation, root: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lx-upgrade-fixture-'));
  try {
    const old = await startOld(dataDir, root);
    let world;
    let observations;
    try {
      world = await fill(old);
      observations = await observe(old, world);
    } finally {
      const exit = await old.stop();
      if (exit.code !== 0) console.warn(`${gen.sha.slice(0, 7)}: the old server exited with ${JSON.stringify(exit)}\n${old.stderr()}`);
    }
    const clockStart = Date.now() + CLOCK_GAP_MS;
    const files = listTree(dataDir);
    save(gen, 'graceful', dataDir, { format: 1, sha: gen.sha, label: gen.label, scenario: 'graceful', generatedAt: new Date().toISOString(), clockStart, app: APP, files, world, observations });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function crash(gen: Generation, root: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lx-upgrade-fixture-'));
  try {
    const old = await startOld(dataDir, root);
    const world = await crashTraffic(old);
    const clockStart = Date.now() + CLOCK_GAP_MS;
    const files = listTree(dataDir);
    if (!files.some(([p, s]) => p.endsWith('-wal') && s > 0)) console.warn(`${gen.sha.slice(0, 7)}-crash: no WAL content left by the crash`);
    save(gen, 'crash', dataDir, { format: 1, sha: gen.sha, label: gen.label, scenario: 'crash', generatedAt: new Date().toISOString(), clockStart, app: APP, files, crash: world });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const base = mkdtempSync(join(tmpdir(), 'lx-upgrade-worktrees-'));
  const made: string[] = [];
  try {
    for (const gen of GENERATIONS) {
      if (only !== undefined && !only.some((s) => gen.sha.startsWith(s))) continue;
      const todo = (['graceful', 'crash'] as const).filter((s) => force || !existsSync(fixtureArchive(gen.sha, s)) || !existsSync(fixtureExpected(gen.sha, s)));
      if (todo.length === 0) continue;
      const root = worktree(base, gen.sha);
      made.push(root);
      if (todo.includes('graceful')) await graceful(gen, root);
      if (todo.includes('crash')) await crash(gen, root);
    }
  } finally {
    for (const dir of made) execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: REPO_ROOT, stdio: 'ignore' });
    rmSync(base, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'prune'], { cwd: REPO_ROOT, stdio: 'ignore' });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
