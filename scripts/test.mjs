#!/usr/bin/env node
/**
 * `npm test`: lint → typecheck → build → jest (all projects, `--ci`). Stops at the first failing
 * step with its exit code. Arguments after `npm test --` go to jest, e.g.
 * `npm test -- --selectProjects unit` or `npm test -- test/unit/bundle-hygiene.test.ts`.
 * The build runs before jest because the bundle-hygiene test checks the real dist/ output.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const script = (name) => path.join(root, 'scripts', name);

const steps = [
  { name: 'lint', command: [bin('eslint'), '.'] },
  { name: 'typecheck', command: [script('typecheck.mjs')] },
  { name: 'build', command: [script('build.mjs')] },
  // --forceExit: the e2e suites spawn real servers, browsers and official clients; a handle one of them
  // leaks must not keep CI waiting after every test has reported (each suite still stops what it started).
  { name: 'jest', command: [bin('jest'), '--ci', '--forceExit', ...process.argv.slice(2)] },
];

const started = Date.now();
for (const { name, command } of steps) {
  const t0 = Date.now();
  console.log(`\n=== test: ${name} ===`);
  const [file, ...args] = command;
  const result = spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit' });
  const code = result.status ?? 1;
  if (result.error) console.error(result.error.message);
  if (code !== 0) {
    console.error(`\n=== test: ${name} FAILED (exit ${code}${result.signal ? `, ${result.signal}` : ''}) ===`);
    process.exit(code);
  }
  console.log(`=== test: ${name} ok (${Date.now() - t0} ms) ===`);
}
console.log(`\n=== test: all steps passed (${Date.now() - started} ms) ===`);
