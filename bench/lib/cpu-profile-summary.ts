/**
 * Summary of a V8 `.cpuprofile`: self time by function and by source area (our server, our codec,
 * node_modules package, node internals, GC / idle), so a profile can be read without DevTools.
 * `node --import tsx bench/lib/cpu-profile-summary.ts FILE [TOP]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileRow {
  readonly name: string;
  readonly selfMs: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byFunction: readonly ProfileRow[];
  readonly byArea: readonly ProfileRow[];
}

function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName === '' ? '(native)' : `(${functionName.replace(/^\(|\)$/g, '')})`;
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return `npm: ${modules[1]}`;
  const repo = /\/(server\/src\/[^/]+|src\/[^/]+|bench\/[^/]+)/.exec(url);
  return repo ? (repo[1] as string) : url;
}

function shortUrl(url: string): string {
  const at = url.search(/(server\/src|src|node_modules|bench)\//);
  return at < 0 ? url : url.slice(at);
}

export function summarizeProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    total += us;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url === '' ? '' : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const rows = (map: Map<string, number>, limit: number): ProfileRow[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: total === 0 ? 0 : us / total }));
  return { totalMs: total / 1000, byFunction: rows(functions, top), byArea: rows(areas, top) };
}

function print(summary: ProfileSummary): void {
  const line = (row: ProfileRow): string => `${(row.share * 100).toFixed(1).padStart(5)}%  ${row.selfMs.toFixed(0).padStart(7)} ms  ${row.name}`;
  console.log(`total sampled: ${summary.totalMs.toFixed(0)} ms\n\nself time by area:`);
  for (const row of summary.byArea) console.log(line(row));
  console.log('\nself time by function:');
  for (const row of summary.byFunction) console.log(line(row));
}

const file = process.argv[2];
if (file !== undefined && /cpu-profile-summary\.ts$/.test(process.argv[1] ?? '')) {
  print(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(process.argv[3] ?? 30)));
}
