/**
 * P5 SDK size: every built SDK artifact and the official `@rongcloud/imlib-v2` + `@rongcloud/engine`,
 * each bundled the same way with esbuild (bundle, minify, ESM, browser platform; Node built-ins
 * external for the Node entry) and then gzipped at level 9. Sizes do not depend on machine load, so
 * one run is enough. `--build` rebuilds dist/ first (it wipes dist/, which other running tests read);
 * without it the existing dist/ is measured, and built only when missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { boolFlag } from '../lib/args';
import { formatNumber } from '../lib/results';
import type { Figure, Table } from '../lib/results';
import type { Scenario, ScenarioContext, ScenarioOutput } from './scenario';

interface Artifact {
  readonly label: string;
  /** Path under the repo root; `official` = the official packages' entry. */
  readonly file: string;
  readonly kind: 'browser' | 'host' | 'miniprogram' | 'node' | 'plugin' | 'official';
}

const ARTIFACTS: readonly Artifact[] = [
  // The IMLib surface incl. UploadClient; RongIMEmoji is the separate plugin below, as in RongIMLib 2.x.
  { label: 'browser UMD (full v2 API)', file: 'dist/lianxin.umd.js', kind: 'browser' },
  { label: 'browser ESM', file: 'dist/browser.mjs', kind: 'browser' },
  { label: 'wechat', file: 'dist/wechat.mjs', kind: 'host' },
  { label: 'alipay', file: 'dist/alipay.mjs', kind: 'host' },
  { label: 'toutiao', file: 'dist/toutiao.mjs', kind: 'host' },
  { label: 'baidu', file: 'dist/baidu.mjs', kind: 'host' },
  { label: 'uniapp', file: 'dist/uniapp.mjs', kind: 'host' },
  { label: 'node', file: 'dist/node.mjs', kind: 'node' },
  { label: 'mini-program build', file: 'dist/miniprogram/index.js', kind: 'miniprogram' },
  { label: 'mini-program build, wechat only', file: 'dist/miniprogram/wechat.js', kind: 'miniprogram' },
  { label: 'mini-program build, alipay only', file: 'dist/miniprogram/alipay.js', kind: 'miniprogram' },
  { label: 'emoji plugin (UMD script)', file: 'dist/lianxin-emoji.umd.js', kind: 'plugin' },
  { label: 'official imlib-v2 2.9.2 + engine 4.4.2', file: '@rongcloud/imlib-v2', kind: 'official' },
];

interface Measured {
  readonly artifact: Artifact;
  readonly rawBytes: number;
  readonly minBytes: number;
  readonly gzipBytes: number;
  readonly metafile: Metafile;
}

async function measure(root: string, artifact: Artifact): Promise<Measured> {
  const isModule = artifact.file.endsWith('.mjs') || artifact.kind === 'official';
  const specifier = artifact.kind === 'official' ? artifact.file : `./${artifact.file}`;
  const result = await build({
    // `export *` keeps the whole public surface, the same for every module entry; scripts (UMD,
    // mini-program CommonJS) are bundled as they are.
    ...(isModule
      ? { stdin: { contents: `export * from ${JSON.stringify(specifier)};`, resolveDir: root, loader: 'js' as const } }
      : { entryPoints: [path.join(root, artifact.file)] }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: artifact.kind === 'node' ? 'node' : 'browser',
    target: 'es2017',
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array(0);
  const rawBytes = artifact.kind === 'official' ? 0 : statSync(path.join(root, artifact.file)).size;
  return { artifact, rawBytes, minBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength, metafile: result.metafile };
}

/** Folder of an input, two levels deep (`src/protocol`, `node_modules/protobufjs`). */
function folderOf(input: string): string {
  const parts = input.replace(/^.*node_modules\//, 'node_modules/').split('/');
  return parts.length <= 2 ? input : parts.slice(0, parts[0] === 'node_modules' && parts[1]?.startsWith('@') === true ? 3 : 2).join('/');
}

/** The inputs (files or folders) that contribute most to one bundle, by bytes in the minified output. */
function topInputs(title: string, metafile: Metafile, count: number, group: (input: string) => string = (input) => input): Table {
  const contributions = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) contributions.set(group(input), (contributions.get(group(input)) ?? 0) + info.bytesInOutput);
  }
  const rows = [...contributions.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([input, bytes]) => [`\`${input}\``, formatNumber(bytes / 1024, 1)]);
  return { title, columns: ['Input', 'Minified KB'], rows };
}

/**
 * dist/ files are already bundles, so their metafile has one input. Attribution re-bundles the browser
 * entry from source with esbuild (sizes within a few % of the rollup build) to see which modules weigh.
 */
async function sourceAttribution(root: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [path.join(root, 'platforms', 'browser', 'index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2017',
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  return result.metafile;
}

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const { root, flags } = ctx;
  const rebuild = boolFlag(flags, 'build', false) || !existsSync(path.join(root, 'dist', 'lianxin.umd.js'));
  if (rebuild) {
    ctx.log('p5: building dist/ (npm run build)');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  }
  const distBuilt = statSync(path.join(root, 'dist', 'lianxin.umd.js')).mtime.toISOString();
  const measured: Measured[] = [];
  for (const artifact of ARTIFACTS) {
    if (artifact.kind !== 'official' && !existsSync(path.join(root, artifact.file))) {
      ctx.log(`p5: ${artifact.file} missing, skipped`);
      continue;
    }
    const m = await measure(root, artifact);
    ctx.log(`p5: ${artifact.label}: ${m.minBytes} B min, ${m.gzipBytes} B gzip -9`);
    measured.push(m);
  }
  const kb = (bytes: number): string => formatNumber(bytes / 1024, 1);
  const official = measured.find((m) => m.artifact.kind === 'official');
  const targetOf = (m: Measured): string => {
    if (m.artifact.kind === 'browser') return '≤ 30 KB gz';
    if (m.artifact.kind === 'miniprogram') return '≤ 100 KB min';
    if (m.artifact.kind === 'official') return 'anchor 84.7 KB gz / 353 KB min';
    return '';
  };
  const table: Table = {
    title: 'Bundled with esbuild (bundle, minify, ESM, es2017), then gzip -9',
    columns: ['Artifact', 'File', 'dist KB', 'Minified KB', 'gzip -9 KB', 'gz vs official', 'Target'],
    rows: measured.map((m) => [
      m.artifact.label,
      m.artifact.kind === 'official' ? '`export * from "@rongcloud/imlib-v2"`' : `\`${m.artifact.file}\``,
      m.rawBytes > 0 ? kb(m.rawBytes) : '',
      kb(m.minBytes),
      kb(m.gzipBytes),
      official !== undefined ? `${formatNumber(m.gzipBytes / official.gzipBytes, 2)}×` : '',
      targetOf(m),
    ]),
  };
  const figures: Figure[] = measured
    .filter((m) => m.artifact.kind === 'browser' || m.artifact.kind === 'miniprogram' || m.artifact.kind === 'official')
    .flatMap((m) => [
      { label: `${m.artifact.label}, minified`, unit: 'KB', values: [m.minBytes / 1024], decimals: 1, ...(m.artifact.kind === 'miniprogram' ? { target: '≤ 100 KB' } : {}) },
      { label: `${m.artifact.label}, gzip -9`, unit: 'KB', values: [m.gzipBytes / 1024], decimals: 1, ...(m.artifact.kind === 'browser' ? { target: '≤ 30 KB' } : {}) },
    ]);
  const attribution = await sourceAttribution(root);
  const tables = [
    table,
    topInputs('Browser entry re-bundled from source (platforms/browser/index.ts): minified bytes by folder', attribution, 12, folderOf),
    topInputs('… and by file', attribution, 15),
    ...(official !== undefined ? [topInputs(`Official bundle by file`, official.metafile, 4)] : []),
  ];
  return {
    params: { distBuiltAt: distBuilt, rebuilt: rebuild },
    runs: 1,
    pinning: 'n/a (sizes)',
    figures,
    tables,
    notes: ['KB = 1024 bytes. Sizes are deterministic for a given dist/; machine load does not affect them.'],
  };
}

export const p5Size: Scenario = { name: 'p5-size', aliases: ['p5', 'size'], title: 'P5 SDK size', loadSensitive: false, run };
