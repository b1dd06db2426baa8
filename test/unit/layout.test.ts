/**
 * Layout invariants that neither the compiler nor lint can see. Together with bundle-hygiene
 * (every dist/*.mjs is exported, every export exists) this closes the loop "a host folder is
 * built and published": adding platforms/<host>/index.ts without its package.json export fails.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
/** Folders under platforms/ that hold shared code, not a host entry. */
const NOT_HOSTS = new Set(['shared']);

function hostFolders(): string[] {
  const dir = path.join(root, 'platforms');
  return readdirSync(dir)
    .filter((name) => statSync(path.join(dir, name)).isDirectory() && !NOT_HOSTS.has(name))
    .filter((name) => existsSync(path.join(dir, name, 'index.ts')));
}

test('each platforms/<host>/index.ts is published as package.json exports "./<host>"', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const unpublished = hostFolders().filter((host) => !(`./${host}` in pkg.exports));
  expect(unpublished).toEqual([]);
});

test('each host folder with an entry is a row of the rollup ENTRIES table', () => {
  const config = readFileSync(path.join(root, 'rollup.config.mjs'), 'utf8');
  const missing = hostFolders().filter((host) => !config.includes(`input: 'platforms/${host}/index.ts'`));
  expect(missing).toEqual([]);
});

test('the UMD/default entry and the SDK entry exist', () => {
  for (const file of ['platforms/auto.ts', 'src/index.ts']) expect(existsSync(path.join(root, file))).toBe(true);
});
