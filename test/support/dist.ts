/** Makes sure dist/ exists before a test that runs the built SDK (npm test builds it first anyway). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export function ensureBuilt(artifacts: readonly string[]): void {
  if (artifacts.every((file) => existsSync(path.join(REPO_ROOT, file)))) return;
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
}
