#!/usr/bin/env node
/**
 * npm `prestart` hook: makes sure dist/ exists and is not older than its sources before
 * `npm start` (the web demo loads the browser bundle). When dist/ is up to date this only stats
 * files, so `npm start` stays instant; otherwise it runs scripts/build.mjs and fails `npm start`
 * if the build fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A build writes all of these; the oldest one dates the build. */
const ARTIFACTS = ['lianxin.mjs', 'lianxin.umd.js', 'browser.mjs', 'node.mjs', 'miniprogram/index.js'];
/** Anything whose change changes dist/. */
const SOURCE_DIRS = ['src', 'platforms', 'proto/gen'];
const SOURCE_FILES = ['rollup.config.mjs', 'package.json'];

function newestIn(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function staleReason() {
  const artifacts = ARTIFACTS.map((file) => path.join(root, 'dist', file));
  const missing = artifacts.find((file) => !existsSync(file));
  if (missing) return `${path.relative(root, missing)} is missing`;
  const built = Math.min(...artifacts.map((file) => statSync(file).mtimeMs));
  const newest = Math.max(
    ...SOURCE_DIRS.map((dir) => newestIn(path.join(root, dir))),
    ...SOURCE_FILES.map((file) => statSync(path.join(root, file)).mtimeMs),
  );
  return newest > built ? 'sources changed since the last build' : null;
}

const reason = staleReason();
if (reason) {
  console.log(`prestart: building dist/ (${reason})`);
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
