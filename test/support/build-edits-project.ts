/**
 * For the tests of the build's source edits (scripts/private-renames.mjs, scripts/enum-inlines.mjs): a small
 * TypeScript project in a temporary directory laid out as the repo is (`src/`, `platforms/`,
 * `tsconfig.base.json`), removed after the test file, and the edits applied to one file's text.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SourceEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Writes `files` (paths relative to the root) under a new temporary root with `compilerOptions`; returns the root. */
export function editsProject(prefix: string, compilerOptions: Record<string, unknown>, files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  roots.push(root);
  writeFileSync(path.join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions }));
  mkdirSync(path.join(root, 'src'));
  mkdirSync(path.join(root, 'platforms'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

/** `source` (the text of `file` under `root`) with the edits found for that file, in order. */
export function withEdits(edits: ReadonlyMap<string, readonly SourceEdit[]>, root: string, file: string, source: string): string {
  let out = '';
  let at = 0;
  for (const edit of edits.get(path.join(root, file)) ?? []) {
    out += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + source.slice(at);
}
