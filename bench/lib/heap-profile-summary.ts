/**
 * Summarises a V8 sampling heap profile (`.heapprofile`, bench P1 `--server-heap-profile`): allocated bytes by
 * function (self) and by area (our folders, npm packages, node internals), largest first.
 *
 *   node --import tsx bench/lib/heap-profile-summary.ts FILE [TOP]
 */
import { readFileSync } from 'node:fs';

interface HeapNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

function areaOf(url: string): string {
  if (url === '') return '(native or V8)';
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (npm !== null) return `npm: ${npm[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/((?:server\/)?(?:src|proto|platforms)\/[^/]+)/.exec(url);
  return ours !== null ? (ours[1] as string) : url;
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: heap-profile-summary.ts FILE [TOP]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
let total = 0;
const visit = (node: HeapNode): void => {
  if (node.selfSize > 0) {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName === '' ? '(anonymous)' : functionName} ${url.replace(/^.*?\/(server\/|src\/|node_modules\/)/, '$1')}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    byArea.set(areaOf(url), (byArea.get(areaOf(url)) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  for (const child of node.children) visit(child);
};
visit(profile.head);
const top = Number(topArg ?? 40);
const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1).padStart(8)} MB`;
const pct = (bytes: number): string => `${((100 * bytes) / total).toFixed(1).padStart(5)}%`;
console.log(`allocated (sampled): ${(total / 1048576).toFixed(1)} MB\n\nby area:`);
for (const [area, bytes] of [...byArea].sort((a, b) => b[1] - a[1])) console.log(`${pct(bytes)} ${mb(bytes)}  ${area}`);
console.log('\nby function:');
for (const [name, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(bytes)} ${mb(bytes)}  ${name}`);
