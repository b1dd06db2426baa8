/**
 * The published declarations have no `any`: every public signature is typed (apps get real checking,
 * and the type tests in test/types/ prove seed-style and official-typings code still compile). The one
 * exception is a message's content, `any` in the official typings too (src/api/message.ts MessageContent).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt, REPO_ROOT } from '../support/dist';

const DECLARATIONS = ['dist/lianxin.d.ts', 'dist/node.d.ts', 'dist/browser.d.ts'];

/** The text of a .d.ts without comments, so `any` in prose does not count. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

beforeAll(() => ensureBuilt(DECLARATIONS), 300_000);

test.each(DECLARATIONS)('%s declares no `any`', (file) => {
  const lines = code(readFileSync(path.join(REPO_ROOT, file), 'utf8')).split('\n');
  const hits = lines.map((line, i) => ({ line: i + 1, text: line.trim() })).filter((l) => /\bany\b/.test(l.text));
  expect(hits.filter((hit) => hit.text !== 'type MessageContent = any;')).toEqual([]);
  expect(hits.map((hit) => hit.text)).toEqual(['type MessageContent = any;']);
});
