#!/usr/bin/env node
/**
 * `npm run typecheck`: one `tsc -p` per host family, one after another, so each family is checked
 * with only its own globals (core: no DOM and no Node; browser: DOM; tsconfig.json: Node + jest).
 * Later host families add a `tsconfig.<host>.json` and are picked up here with no edit.
 * Exits non-zero if any project fails; all projects run so one pass shows every family's errors.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const FIRST = ['tsconfig.core.json', 'tsconfig.browser.json', 'tsconfig.json'];
const extra = readdirSync(root)
  .filter((file) => /^tsconfig\.[\w-]+\.json$/.test(file))
  .filter((file) => file !== 'tsconfig.base.json' && !FIRST.includes(file))
  .sort();
const projects = [...FIRST, ...extra];

const failed = [];
for (const project of projects) {
  const started = Date.now();
  console.log(`typecheck: tsc -p ${project}`);
  const result = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  const ok = result.status === 0;
  if (!ok) failed.push(project);
  console.log(`typecheck: ${project} ${ok ? 'ok' : 'FAILED'} (${Date.now() - started} ms)`);
}
if (failed.length > 0) {
  console.error(`typecheck failed: ${failed.join(', ')}`);
  process.exit(1);
}
