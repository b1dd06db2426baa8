/**
 * Rollup build for the SDK (`npm run build` → scripts/build.mjs → this file).
 *
 * Artifacts (all under dist/):
 *   <entry>.mjs / <entry>.cjs / <entry>.d.ts  one trio per row of ENTRIES
 *   lianxin.umd.js                             UMD, global `RongIMLib`, entry platforms/auto.ts
 *   miniprogram/index.js                       single-file CommonJS for mini-program toolchains, minified
 *   miniprogram/<host>.js                      the same for one host (wechat, toutiao, baidu, alipay)
 *   lianxin-emoji.umd.js, miniprogram/emoji.js the emoji plugin (`RongIMEmoji`, src/emoji/index.ts):
 *                                              a UMD script that extends the global `RongIMLib`, and
 *                                              its mini-program CommonJS file; not in the IMLib bundles
 *
 * Invariants the bundle-hygiene test checks on the output:
 *   - host bundles (everything except `node`) inline all dependencies, contain no `require(`,
 *     `eval`, `Function(` or host-only globals, and never contain `ws` or `node:*` modules;
 *   - only the `node` entry may import `ws`/Node built-ins, and it keeps them external so Node
 *     resolves them from node_modules;
 *   - no bundle contains protobufjs or the pbjs classes (proto/gen/rc.js): the SDK runs the table
 *     codec; the pbjs code is the server's and the tests' reference oracle;
 *   - every public enum equals TypeScript's emit (compactEnums writes them as tables), and no IMLib
 *     bundle carries the emoji plugin.
 * Size passes (bench/analysis/p5-size.md): sdkTables (the SDK's cut of the topic and message
 * tables), compactEnums (numeric enums as tables), enum member reads written as their values
 * (sourceEdits, scripts/enum-inlines.mjs) and every private/protected member renamed (sourceEdits,
 * scripts/private-renames.mjs) and shortened (mangleProps).
 * The server (server/) runs from source with tsx and is not bundled here.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';
import { transform } from 'esbuild';
import dts from 'rollup-plugin-dts';
import MagicString from 'magic-string';
import { privateRenames, PRIVATE_PROPS } from './scripts/private-renames.mjs';
import { compactEnumEdits, ENUM_TABLE_CODE, ENUM_TABLE_ID, ENUM_TABLE_IMPORT } from './scripts/compact-enums.mjs';
import { enumInlines } from './scripts/enum-inlines.mjs';

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
  // Optional plugins, host-free, lowered like the mini-program code (any host may load them).
  { name: 'emoji', input: 'src/emoji/index.ts', host: 'plugin', tsconfig: 'tsconfig.browser.json' },
];

/** Entry of the UMD global and of the mini-program bundle (one rollup pass, two outputs). */
export const UMD_INPUT = 'platforms/auto.ts';
export const UMD_GLOBAL = 'RongIMLib';
/** The emoji plugin: RongIMLib 2.x shipped it as its own script, outside the IMLib package. */
export const EMOJI_INPUT = 'src/emoji/index.ts';
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
 * SDK bundles carry the SDK's wire tables, not the whole catalogue: every import of
 * src/protocol/topics resolves to src/protocol/topics-sdk.ts (the topics the SDK sends or receives,
 * same export names) and every import of proto/gen/rc-schema to proto/gen/rc-schema-sdk.ts (the
 * messages the SDK names and the types their fields use, generated by scripts/gen-proto.mjs).
 * The server and the tests run the source, which keeps the whole tables; the comet transport
 * converts only SDK topics in a bundle, and no other topic reaches an SDK engine.
 * test/unit/protocol/sdk-tables.test.ts checks the cut covers everything the SDK source names.
 */
const ROOT = path.dirname(fileURLToPath(import.meta.url));
export const SDK_TABLES = new Map([
  [path.join(ROOT, 'src/protocol/topics'), path.join(ROOT, 'src/protocol/topics-sdk.ts')],
  [path.join(ROOT, 'proto/gen/rc-schema'), path.join(ROOT, 'proto/gen/rc-schema-sdk.ts')],
]);

function sdkTables() {
  return {
    name: 'lianxin-sdk-tables',
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith('.')) return null;
      return SDK_TABLES.get(path.resolve(path.dirname(importer), source).replace(/\.ts$/, '')) ?? null;
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
 * scan and the host's own checks only ever see code. The `/*!` banner is kept on the first line.
 *   minify  the chunk is also minified (the mini-program files);
 *   script  a UMD script: esbuild puts the lowering helpers (`var __defProp`, …) at the top of the file,
 *           which in a page is global scope, so the chunk is wrapped in a function of its own
 *           (`this` passed through: the UMD wrapper reads it) and the page gets only the UMD's global.
 */
function lowerAndStrip(target, { minify = false, script = false } = {}) {
  return {
    name: 'lianxin-lower-and-strip',
    async renderChunk(code, chunk) {
      const result = await transform(code, {
        loader: 'js',
        target,
        // A CommonJS chunk's top level is module scope: with `format` set, its names are shortened too.
        ...(minify ? { minify: true, format: 'cjs' } : {}),
        ...mangleOptionsFor(chunk),
        // The banner is put back on the first line below (esbuild would leave it after its helpers).
        legalComments: 'none',
        sourcemap: true,
        sourcefile: chunk.fileName,
      });
      const banner = /^\/\*![\s\S]*?\*\//.exec(code)?.[0];
      const head = [...(banner === undefined ? [] : [banner]), ...(script ? ['(function () {'] : [])];
      const body = script ? `${result.code}}).call(this);\n` : result.code;
      const map = JSON.parse(result.map);
      return { code: [...head, body].join('\n'), map: { ...map, mappings: ';'.repeat(head.length) + map.mappings } };
    },
  };
}

/**
 * Edits computed with the TypeScript compiler over src/ and platforms/, applied to the modules rollup reads:
 *   - private members: every `private`/`protected` member carries PRIVATE_PREFIX (TypeScript's own rename:
 *     scripts/private-renames.mjs), and the chunk pass shortens exactly the marked names (esbuild
 *     `mangleProps`, quoted accesses included; esbuild picks short names that collide with no other
 *     property of the chunk);
 *   - enum member reads: `ErrorCode.TIMEOUT` written as its value `(-1)` (scripts/enum-inlines.mjs), as
 *     TypeScript does for a const enum; the enum objects stay as they are.
 */
const SOURCE_EDITS = mergeEdits(privateRenames(ROOT), enumInlines(ROOT));

/** One sorted edit list per file from several maps of them; overlapping edits fail the build. */
function mergeEdits(...maps) {
  const merged = new Map();
  for (const map of maps) {
    for (const [file, edits] of map) merged.set(file, [...(merged.get(file) ?? []), ...edits]);
  }
  for (const [file, edits] of merged) {
    edits.sort((a, b) => a.start - b.start);
    edits.forEach((edit, i) => {
      if (i > 0 && edits[i - 1].end > edit.start) throw new Error(`${path.relative(ROOT, file)}: two build edits overlap at ${edit.start}`);
    });
  }
  return merged;
}

function sourceEdits() {
  return {
    name: 'lianxin-source-edits',
    transform(code, id) {
      const edits = SOURCE_EDITS.get(id);
      if (edits === undefined) return null;
      // The edits are offsets into the file on disk; a plugin that changed the text before would shift them.
      if (code !== readFileSync(id, 'utf8')) this.error(`${id}: sourceEdits must see the module as it is on disk`);
      const out = new MagicString(code);
      for (const edit of edits) out.overwrite(edit.start, edit.end, edit.text);
      return { code: out.toString(), map: out.generateMap({ hires: true, source: id }) };
    },
  };
}

/**
 * The marker is ours: a chunk that inlines node_modules code could spell a property the same way, so it
 * is refused rather than mangled blindly.
 */
function mangleOptionsFor(chunk) {
  const foreign = chunk.moduleIds.filter((id) => id.includes('node_modules'));
  if (foreign.length > 0) {
    throw new Error(`${chunk.fileName}: mangleProps covers src/ and platforms/ only, but the chunk inlines ${foreign.join(', ')}`);
  }
  return { mangleProps: PRIVATE_PROPS, mangleQuoted: true };
}

/** Shortens the marked private members (above) in a rendered chunk; the legacy pass does it too. */
function manglePrivate() {
  return {
    name: 'lianxin-mangle-private',
    async renderChunk(code, chunk) {
      const result = await transform(code, { loader: 'js', ...mangleOptionsFor(chunk), legalComments: 'inline', sourcemap: true, sourcefile: chunk.fileName });
      return { code: result.code, map: result.map };
    },
  };
}

/**
 * Numeric enums as tables (scripts/compact-enums.mjs): each all-literal numeric enum of the SDK becomes
 * `enumTable("A=1,B,…")` instead of `X[X["A"] = 1] = "A"` (each name written once, not twice; the
 * public `ErrorCode` alone has ~160 members), built by one shared helper into the object TypeScript's
 * emit builds (same keys, same order, value → last name for aliases; bundle-hygiene compares them).
 * Only the JavaScript changes: the source, tsc and the bundled .d.ts keep the real enum.
 */
function compactEnums() {
  return {
    name: 'lianxin-compact-enums',
    resolveId: (source) => (source === ENUM_TABLE_ID ? ENUM_TABLE_ID : null),
    load: (id) => (id === ENUM_TABLE_ID ? ENUM_TABLE_CODE : null),
    transform(code, id) {
      if (!id.endsWith('.ts') || id.includes('node_modules')) return null;
      const edits = compactEnumEdits(code, id);
      if (edits.length === 0) return null;
      const out = new MagicString(code);
      for (const edit of edits) out.overwrite(edit.start, edit.end, edit.text);
      out.prepend(ENUM_TABLE_IMPORT);
      return { code: out.toString(), map: out.generateMap({ hires: true, source: id }) };
    },
  };
}

function jsPlugins({ host, target, bundleName }) {
  const browserLike = host !== 'node';
  return [
    ...(browserLike ? [hostSafe(bundleName)] : []),
    sdkTables(),
    sourceEdits(),
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
    compactEnums(),
    // Per module only TypeScript goes and syntax newer than MODERN_TARGET is lowered: lowering a legacy
    // bundle to ES2017 here would give every module its own copy of esbuild's helpers (object spread/rest:
    // 26 copies in the WeChat build); lowerAndStrip lowers the rendered chunk once instead.
    esbuild({ target: target === LEGACY_TARGET ? MODERN_TARGET : target, tsconfig: 'tsconfig.base.json', sourceMap: true }),
  ];
}

/** Mini-program hosts: their runtimes and toolchains get ES2017 code without comments, like the UMD build. */
export const MINI_PROGRAM_HOSTS = new Set(['wechat', 'toutiao', 'baidu', 'alipay', 'uniapp']);
/**
 * Hosts whose npm build copies package.json "miniprogram" (dist/miniprogram/): each also gets
 * dist/miniprogram/<host>.js (`require('lianxin/wechat')`), which carries only its own adapter where
 * index.js carries all of them (it sniffs the host). uni-app bundles from node_modules with Vite.
 */
const PER_HOST_MINIPROGRAM = new Set(['wechat', 'toutiao', 'baidu', 'alipay']);
/**
 * dist/miniprogram/ ships minified: the hosts' npm build copies it into the app's package, whose size
 * the host caps (WeChat: 2 MB per package), so an app pays for the minified SDK, not for a readable copy.
 * The readable code of the same chunk is dist/<host>.cjs (and its source map).
 */
const MINIFIED = { minify: true };
/** Entries lowered like the mini-program hosts: the mini-program hosts and the host-free plugins. */
const LEGACY_HOSTS = new Set([...MINI_PROGRAM_HOSTS, 'plugin']);

function jsEntry({ name, input, host }) {
  const node = host === 'node';
  const legacyHost = LEGACY_HOSTS.has(host);
  const target = legacyHost ? LEGACY_TARGET : MODERN_TARGET;
  const outputPlugins = legacyHost ? [lowerAndStrip(LEGACY_TARGET)] : [manglePrivate()];
  return {
    input,
    onwarn,
    external: node ? (id) => isNodeOnly(id) || isPackageDependency(id) : [],
    plugins: jsPlugins({ host, target, bundleName: name }),
    output: [
      { file: `dist/${name}.mjs`, format: 'es', banner, sourcemap: true, plugins: outputPlugins },
      { file: `dist/${name}.cjs`, format: 'cjs', exports: 'named', banner, sourcemap: true, plugins: outputPlugins },
      // Per-host mini-program build: the <host>.cjs code, in the folder the hosts' npm build copies.
      ...(PER_HOST_MINIPROGRAM.has(host)
        ? [{ file: `dist/miniprogram/${name}.js`, format: 'cjs', exports: 'named', banner, sourcemap: false, plugins: [lowerAndStrip(LEGACY_TARGET, MINIFIED)] }]
        : []),
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
      // Extends an existing `RongIMLib` (the emoji plugin may have been loaded first) instead of replacing it.
      extend: true,
      exports: 'named',
      banner,
      // As the official script does (API_CHECKLIST §1), the page also gets the bare global `RongIMClient`
      // its quick-start calls (`RongIMClient.connect(…)`), unless the page already has one.
      outro: "if (typeof window === 'object' && window !== null && window.RongIMClient === undefined) window.RongIMClient = exports.RongIMClient;",
      sourcemap: true,
      plugins: [lowerAndStrip(LEGACY_TARGET, { script: true })],
    },
    // Mini-program toolchains (WeChat devtools "build npm", uni-app, Taro) copy this folder as is;
    // one file with everything inlined needs no resolver and no `require` of node_modules.
    {
      file: 'dist/miniprogram/index.js',
      format: 'cjs',
      exports: 'named',
      banner,
      sourcemap: false,
      plugins: [lowerAndStrip(LEGACY_TARGET, MINIFIED)],
    },
  ],
};

/** The emoji plugin as a script: adds `RongIMEmoji`/`createRongIMEmoji` to `window.RongIMLib`, creating it if absent. */
const emojiPlugin = {
  input: EMOJI_INPUT,
  onwarn,
  external: [],
  plugins: jsPlugins({ host: 'plugin', target: LEGACY_TARGET, bundleName: 'emoji plugin' }),
  output: [
    {
      file: 'dist/lianxin-emoji.umd.js',
      format: 'umd',
      name: UMD_GLOBAL,
      extend: true,
      exports: 'named',
      banner,
      sourcemap: true,
      plugins: [lowerAndStrip(LEGACY_TARGET, { script: true })],
    },
    { file: 'dist/miniprogram/emoji.js', format: 'cjs', exports: 'named', banner, sourcemap: false, plugins: [lowerAndStrip(LEGACY_TARGET, MINIFIED)] },
  ],
};

export default [...ENTRIES.map(jsEntry), legacy, emojiPlugin, ...ENTRIES.map(dtsEntry)];
