/**
 * Rollup build for the SDK (`npm run build` → scripts/build.mjs → this file).
 *
 * Artifacts (all under dist/):
 *   <entry>.mjs / <entry>.cjs / <entry>.d.ts  one trio per row of ENTRIES
 *   lianxin.umd.js                             UMD, global `RongIMLib`, entry platforms/auto.ts
 *   miniprogram/index.js                       single-file CommonJS for mini-program toolchains
 *
 * Invariants the bundle-hygiene test checks on the output:
 *   - host bundles (everything except `node`) inline all dependencies, contain no `require(`,
 *     `eval`, `Function(` or host-only globals, and never contain `ws` or `node:*` modules;
 *   - only the `node` entry may import `ws`/Node built-ins, and it keeps them external so Node
 *     resolves them from node_modules;
 *   - no bundle contains protobufjs or the pbjs classes (proto/gen/rc.js): the SDK runs the table
 *     codec; the pbjs code is the server's and the tests' reference oracle.
 * The server (server/) runs from source with tsx and is not bundled here.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';
import { transform } from 'esbuild';
import dts from 'rollup-plugin-dts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const banner = `/*! lianxin v${pkg.version} | ${pkg.license} */`;

/**
 * One row per package entry; adding a host (wechat, toutiao, baidu, alipay, uniapp) is one line
 * here plus its `./<name>` block in package.json "exports" (the hygiene test checks both agree).
 *   name      dist/<name>.{mjs,cjs,d.ts}
 *   input     entry module
 *   host      'node' → Node built-ins/ws/protobufjs stay external; anything else → all inlined
 *   tsconfig  compiler options used to emit the bundled .d.ts (lib/types of that host family)
 */
export const ENTRIES = [
  // The default build: platforms/auto.ts sniffs the host at runtime (same entry as the UMD).
  { name: 'lianxin', input: 'platforms/auto.ts', host: 'auto', tsconfig: 'tsconfig.browser.json' },
  { name: 'node', input: 'platforms/node/index.ts', host: 'node', tsconfig: 'tsconfig.json' },
  { name: 'browser', input: 'platforms/browser/index.ts', host: 'browser', tsconfig: 'tsconfig.browser.json' },
  { name: 'wechat', input: 'platforms/wechat/index.ts', host: 'wechat', tsconfig: 'tsconfig.wechat.json' },
  { name: 'toutiao', input: 'platforms/toutiao/index.ts', host: 'toutiao', tsconfig: 'tsconfig.miniprogram.json' },
  { name: 'baidu', input: 'platforms/baidu/index.ts', host: 'baidu', tsconfig: 'tsconfig.miniprogram.json' },
  { name: 'alipay', input: 'platforms/alipay/index.ts', host: 'alipay', tsconfig: 'tsconfig.miniprogram.json' },
  { name: 'uniapp', input: 'platforms/uniapp/index.ts', host: 'uniapp', tsconfig: 'tsconfig.uniapp.json' },
];

/** Entry of the UMD global and of the mini-program bundle (one rollup pass, two outputs). */
export const UMD_INPUT = 'platforms/auto.ts';
export const UMD_GLOBAL = 'RongIMLib';
/** ES level for code that must run on old mini-program/WebView engines. */
const LEGACY_TARGET = 'es2017';
const MODERN_TARGET = 'es2020';

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const isNodeOnly = (id) => id === 'ws' || id.startsWith('ws/') || id.startsWith('node:') || NODE_BUILTINS.has(id);
const isPackageDependency = (id) =>
  Object.keys(pkg.dependencies ?? {}).some((dep) => id === dep || id.startsWith(`${dep}/`));

/**
 * Refuses Node-only modules and protobufjs, naming the importer so the fix is obvious. The SDK runs
 * the table codec (src/protocol/table-codec.ts); protobufjs and the pbjs classes (proto/gen/rc.js)
 * are the server's and the tests' reference oracle (src/protocol/pbjs-reference.ts), never bundled.
 */
function hostSafe(bundleName) {
  return {
    name: 'lianxin-host-safe',
    resolveId(source, importer) {
      if (source === 'protobufjs' || source.startsWith('protobufjs/') || /[\\/]proto[\\/]gen[\\/]rc(\.js)?$/.test(source)) {
        this.error(
          `"${source}" imported by ${importer ? path.relative(process.cwd(), importer) : '(entry)'} cannot go into the ${bundleName} bundle; ` +
            'the SDK uses the table codec (src/protocol/messages.ts), the pbjs classes are for the server and tests only.',
        );
      }
      if (isNodeOnly(source)) {
        this.error(
          `"${source}" imported by ${importer ? path.relative(process.cwd(), importer) : '(entry)'} cannot go into the ${bundleName} bundle; ` +
            'Node-only modules belong in platforms/node/ (the `node` entry).',
        );
      }
      return null;
    },
  };
}

/**
 * Unresolved imports and missing exports are build errors: rollup would otherwise leave a bare
 * import (a runtime `require`) in a bundle that is supposed to be self-contained. Cycles inside
 * node_modules (protobufjs has some) are known and harmless.
 */
function onwarn(warning, warn) {
  if (warning.code === 'UNRESOLVED_IMPORT' || warning.code === 'MISSING_EXPORT') {
    throw new Error(`rollup: ${warning.message}`);
  }
  if (warning.code === 'CIRCULAR_DEPENDENCY' && (warning.ids ?? []).every((id) => id.includes('node_modules'))) return;
  warn(warning);
}

/**
 * Final pass over a rendered legacy chunk: lowers every byte (including inlined node_modules code
 * that the per-module esbuild step skips) to `target`, and drops ordinary comments so the hygiene
 * scan and the host's own checks only ever see code. `/*!` banners are kept.
 */
function lowerAndStrip(target) {
  return {
    name: 'lianxin-lower-and-strip',
    async renderChunk(code, chunk) {
      const result = await transform(code, {
        loader: 'js',
        target,
        legalComments: 'inline',
        sourcemap: true,
        sourcefile: chunk.fileName,
      });
      return { code: result.code, map: result.map };
    },
  };
}

function jsPlugins({ host, target, bundleName }) {
  const browserLike = host !== 'node';
  return [
    ...(browserLike ? [hostSafe(bundleName)] : []),
    nodeResolve({
      extensions: ['.ts', '.mjs', '.js', '.json'],
      browser: browserLike,
      preferBuiltins: !browserLike,
      exportConditions: browserLike ? ['browser', 'default'] : ['node', 'default'],
    }),
    commonjs({
      // A `require` inside try/catch in an inlined dependency must not survive as a runtime `require(`.
      ignoreTryCatch: browserLike ? false : true,
    }),
    esbuild({ target, tsconfig: 'tsconfig.base.json', sourceMap: true }),
  ];
}

/** Mini-program hosts: their runtimes and toolchains get ES2017 code without comments, like the UMD build. */
export const MINI_PROGRAM_HOSTS = new Set(['wechat', 'toutiao', 'baidu', 'alipay', 'uniapp']);

function jsEntry({ name, input, host }) {
  const node = host === 'node';
  const legacyHost = MINI_PROGRAM_HOSTS.has(host);
  const target = legacyHost ? LEGACY_TARGET : MODERN_TARGET;
  const outputPlugins = legacyHost ? [lowerAndStrip(LEGACY_TARGET)] : [];
  return {
    input,
    onwarn,
    external: node ? (id) => isNodeOnly(id) || isPackageDependency(id) : [],
    plugins: jsPlugins({ host, target, bundleName: name }),
    output: [
      { file: `dist/${name}.mjs`, format: 'es', banner, sourcemap: true, plugins: outputPlugins },
      { file: `dist/${name}.cjs`, format: 'cjs', exports: 'named', banner, sourcemap: true, plugins: outputPlugins },
    ],
  };
}

function dtsEntry({ name, input, tsconfig }) {
  return {
    input,
    onwarn,
    plugins: [dts({ tsconfig })],
    output: { file: `dist/${name}.d.ts`, format: 'es' },
  };
}

const legacy = {
  input: UMD_INPUT,
  onwarn,
  external: [],
  plugins: jsPlugins({ host: 'auto', target: LEGACY_TARGET, bundleName: 'UMD/mini-program' }),
  output: [
    {
      file: 'dist/lianxin.umd.js',
      format: 'umd',
      name: UMD_GLOBAL,
      exports: 'named',
      banner,
      sourcemap: true,
      plugins: [lowerAndStrip(LEGACY_TARGET)],
    },
    // Mini-program toolchains (WeChat devtools "build npm", uni-app, Taro) copy this folder as is;
    // one file with everything inlined needs no resolver and no `require` of node_modules.
    {
      file: 'dist/miniprogram/index.js',
      format: 'cjs',
      exports: 'named',
      banner,
      sourcemap: false,
      plugins: [lowerAndStrip(LEGACY_TARGET)],
    },
  ],
};

export default [...ENTRIES.map(jsEntry), legacy, ...ENTRIES.map(dtsEntry)];
