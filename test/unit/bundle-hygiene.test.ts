/**
 * Bundle hygiene: turns the host constraints (STYLE.md §9.8) into checks on the REAL build output.
 * Mini-program hosts reject `eval`/`Function`, have no `require`, `process`, TextEncoder or
 * global WebSocket; the UMD build must run in any page. If dist/ is missing or older than the
 * sources, the test builds it first (`npm test` has already built it, so this is then a no-op).
 *
 * The scan runs on the shipped file. The legacy bundles are emitted without ordinary comments
 * (rollup.config.mjs `lowerAndStrip`), so a hit is code or a string literal, never a doc comment.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { parse } from 'acorn';
import { transformSync } from 'esbuild';
import ts from 'typescript';
import * as enums from '../../src/api/enums';
import { PRIVATE_PREFIX, privateRenames, tsFilesUnder } from '../../scripts/private-renames.mjs';

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist');
const rel = (file: string): string => path.relative(root, file);

/** Hosts with a per-host mini-program build dist/miniprogram/<host>.js (rollup.config.mjs PER_HOST_MINIPROGRAM). */
const PER_HOST_MINIPROGRAM = ['wechat', 'toutiao', 'baidu', 'alipay'];

/** Built by every `npm run build`; package.json may point at more (checked separately). */
const ARTIFACTS = [
  'lianxin.mjs',
  'lianxin.cjs',
  'lianxin.d.ts',
  'lianxin.umd.js',
  'node.mjs',
  'node.cjs',
  'node.d.ts',
  'browser.mjs',
  'browser.cjs',
  'browser.d.ts',
  'miniprogram/index.js',
  // The emoji plugin (src/emoji/index.ts): ESM/CJS/.d.ts, the UMD plugin script, its mini-program file.
  'emoji.mjs',
  'emoji.cjs',
  'emoji.d.ts',
  'lianxin-emoji.umd.js',
  'miniprogram/emoji.js',
  ...['wechat', 'toutiao', 'baidu', 'alipay', 'uniapp'].flatMap((host) => [`${host}.mjs`, `${host}.cjs`, `${host}.d.ts`]),
  ...PER_HOST_MINIPROGRAM.map((host) => `miniprogram/${host}.js`),
].map((file) => path.join(dist, file));

/** Bundles that must run on hosts without Node, DOM-only globals or dynamic code. */
/** Mini-program host entries (rollup.config.mjs MINI_PROGRAM_HOSTS): same constraints as the mini-program build. */
const MINI_PROGRAM_ENTRIES = ['wechat', 'toutiao', 'baidu', 'alipay', 'uniapp'];
const HOST_BUNDLES = [
  path.join(dist, 'miniprogram', 'index.js'),
  path.join(dist, 'lianxin.umd.js'),
  path.join(dist, 'lianxin-emoji.umd.js'),
  path.join(dist, 'miniprogram', 'emoji.js'),
  path.join(dist, 'emoji.mjs'),
  ...MINI_PROGRAM_ENTRIES.flatMap((host) => [path.join(dist, `${host}.cjs`), path.join(dist, `${host}.mjs`)]),
];

/**
 * Forbidden patterns. Word boundaries keep `isFunction(`/`myRequire(` out. `process.` is matched
 * only as a bare identifier, `(?<![\w$.])process\s*\.`: a property lookup such as
 * `commonjsGlobal.process.versions` (protobufjs' Node probe) is a guarded read on an object that
 * may lack it, while bare `process.x` throws a ReferenceError where `process` does not exist.
 */
const FORBIDDEN: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'eval(', pattern: /\beval\s*\(/g },
  { name: 'new Function', pattern: /\bnew\s+Function\b/g },
  { name: 'Function(', pattern: /\bFunction\s*\(/g },
  { name: 'require(', pattern: /\brequire\s*\(/g },
  { name: 'bare process.', pattern: /(?<![\w$.])process\s*\./g },
  { name: 'globalThis.WebSocket', pattern: /\bglobalThis\s*(?:\.\s*|\[\s*["'`])WebSocket\b/g },
];

/** How far back a `typeof TextEncoder` guard may sit from the use it protects. */
const GUARD_WINDOW = 200;

interface Hit {
  readonly rule: string;
  readonly line: number;
  readonly snippet: string;
}

function snippetAt(code: string, index: number): Hit['snippet'] {
  const start = Math.max(0, index - 60);
  return code.slice(start, index + 60).replace(/\s+/g, ' ').trim();
}

function lineOf(code: string, index: number): number {
  return code.slice(0, index).split('\n').length;
}

/** TextEncoder/TextDecoder are allowed only as `typeof X` or shortly after a `typeof X` guard. */
function unguardedTextCodecs(code: string): Hit[] {
  const hits: Hit[] = [];
  for (const match of code.matchAll(/\b(TextEncoder|TextDecoder)\b/g)) {
    const name = match[1] ?? '';
    const index = match.index;
    const before = code.slice(Math.max(0, index - GUARD_WINDOW), index);
    const guarded = /typeof\s+$/.test(before) || new RegExp(`typeof\\s+${name}\\b`).test(before);
    if (!guarded) hits.push({ rule: `unguarded ${name}`, line: lineOf(code, index), snippet: snippetAt(code, index) });
  }
  return hits;
}

function scan(code: string): Hit[] {
  const hits: Hit[] = [];
  for (const { name, pattern } of FORBIDDEN) {
    for (const match of code.matchAll(pattern)) {
      hits.push({ rule: name, line: lineOf(code, match.index), snippet: snippetAt(code, match.index) });
    }
  }
  return [...hits, ...unguardedTextCodecs(code)];
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function distIsStale(): boolean {
  if (!ARTIFACTS.every((file) => existsSync(file))) return true;
  const built = Math.min(...ARTIFACTS.map((file) => statSync(file).mtimeMs));
  const inputs = ['src', 'platforms', path.join('proto', 'gen')].map((dir) => newestMtime(path.join(root, dir)));
  const configs = ['rollup.config.mjs', 'package.json'].map((file) => statSync(path.join(root, file)).mtimeMs);
  return Math.max(...inputs, ...configs) > built;
}

/** Every string leaf of package.json "exports" (conditions nest arbitrarily). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

/** Evaluates a CommonJS file with every host global shadowed, the way a bare mini-program sees it. */
function loadInBareHost(code: string): Record<string, unknown> {
  const hidden = ['require', 'globalThis', 'window', 'self', 'global', 'process', 'WebSocket', 'TextEncoder', 'TextDecoder'];
  const factory: unknown = vm.runInNewContext(`(function (module, exports, ${hidden.join(', ')}) {\n${code}\n})`, {});
  const moduleObject: { exports: Record<string, unknown> } = { exports: {} };
  if (typeof factory !== 'function') throw new Error('vm did not return the module factory');
  factory(moduleObject, moduleObject.exports);
  return moduleObject.exports;
}

beforeAll(() => {
  if (distIsStale()) {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  }
}, 300_000);

describe('build artifacts', () => {
  test('every artifact exists', () => {
    const missing = ARTIFACTS.filter((file) => !existsSync(file)).map(rel);
    expect(missing).toEqual([]);
  });

  test('package.json entry fields and exports point to existing files', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    const targets = [pkg['main'], pkg['module'], pkg['types'], pkg['browser'], ...exportTargets(pkg['exports'])];
    const missing = targets.filter(
      (target) => typeof target !== 'string' || !existsSync(path.join(root, target)),
    );
    expect(missing).toEqual([]);
    expect(typeof pkg['miniprogram']).toBe('string');
    expect(existsSync(path.join(root, String(pkg['miniprogram']), 'index.js'))).toBe(true);
  });

  test('every dist/<entry>.mjs is published under package.json exports', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports?: unknown };
    const published = new Set(exportTargets(pkg.exports).map((target) => path.normalize(target)));
    const unpublished = readdirSync(dist)
      .filter((file) => file.endsWith('.mjs'))
      .map((file) => path.normalize(`./dist/${file}`))
      .filter((file) => !published.has(file));
    expect(unpublished).toEqual([]);
  });
});

describe('host bundles contain no host-hostile code', () => {
  test.each(HOST_BUNDLES.map((file) => [rel(file), file] as const))('%s', (_name, file) => {
    const hits = scan(readFileSync(file, 'utf8'));
    const report = hits.map((hit) => `  ${hit.rule} at line ${hit.line}: …${hit.snippet}…`).join('\n');
    expect(report).toBe('');
  });

  test('the scanner catches each forbidden form and allows the guarded ones', () => {
    const bad = [
      'eval("1")',
      'new Function("return 1")',
      'Function("return this")()',
      'var ws = require("ws")',
      'if (process.env.X) {}',
      'new globalThis.WebSocket(url)',
      'globalThis["WebSocket"]',
      'new TextDecoder()',
    ];
    for (const code of bad) expect(scan(code)).not.toEqual([]);
    const fine = [
      'isFunction(x)',
      'myRequire(x)',
      'g.process && g.process.versions',
      'typeof TextDecoder !== "undefined" ? new TextDecoder() : null',
      'globalThis.WebSocketLike',
    ];
    for (const code of fine) expect(scan(code)).toEqual([]);
  });

  test.each(['lianxin.mjs', 'lianxin.cjs', 'browser.mjs', 'browser.cjs', 'lianxin.umd.js', 'miniprogram/index.js'])(
    '%s never imports ws or node:* modules',
    (file) => {
      const code = readFileSync(path.join(dist, file), 'utf8');
      const imports = code.match(/(?:from\s*|require\s*\(\s*|import\s*\(\s*)["'](?:ws|node:[\w/]+)["']/g) ?? [];
      expect(imports).toEqual([]);
    },
  );
});

/**
 * The legacy bundles (rollup.config.mjs LEGACY_TARGET) are ECMAScript 2017: no object spread/rest, `?.`,
 * `??`, class fields or optional catch binding reach a mini-program runtime. The syntax is lowered once per
 * chunk (lowerAndStrip), so each helper esbuild needs for it is emitted once, not once per module.
 */
describe('legacy bundles are ES2017, with each lowering helper once', () => {
  const LEGACY = ['lianxin.umd.js', 'lianxin-emoji.umd.js', 'miniprogram/index.js', 'miniprogram/emoji.js', ...MINI_PROGRAM_ENTRIES.map((h) => `${h}.cjs`)];
  test.each(LEGACY)('%s parses as ES2017', (file) => {
    const code = readFileSync(path.join(dist, file), 'utf8');
    const format = file.endsWith('.mjs') ? 'module' : 'script';
    expect(() => parse(code, { ecmaVersion: 2017, sourceType: format })).not.toThrow();
  });

  test('the ES2017 parse rejects newer syntax', () => {
    for (const code of ['const a = { ...b };', 'a?.b;', 'a ?? b;', 'class A { x = 1; }', 'try {} catch {}']) {
      expect(() => parse(code, { ecmaVersion: 2017, sourceType: 'script' })).toThrow();
    }
    const helpers = [...'var __spreadValues$p = 1; var __spreadValues = 2;'.matchAll(/\bvar (__[A-Za-z]+)(?:\$\d*[a-z]*)? = /g)].map((m) => m[1]);
    expect(helpers).toEqual(['__spreadValues', '__spreadValues']);
  });

  test.each(LEGACY)('%s declares each esbuild helper at most once', (file) => {
    const code = readFileSync(path.join(dist, file), 'utf8');
    const helpers = new Map<string, number>();
    for (const match of code.matchAll(/\bvar (__[A-Za-z]+)(?:\$\d*[a-z]*)? = /g)) {
      const name = match[1] as string;
      helpers.set(name, (helpers.get(name) ?? 0) + 1);
    }
    expect([...helpers].filter(([, count]) => count > 1)).toEqual([]);
  });
});

describe('the SDK bundles run the table codec, not protobufjs', () => {
  const SDK_BUNDLES = ['lianxin.mjs', 'lianxin.cjs', 'browser.mjs', 'node.mjs', 'lianxin.umd.js', 'miniprogram/index.js', ...MINI_PROGRAM_ENTRIES.map((h) => `${h}.mjs`)];
  test.each(SDK_BUNDLES)('%s carries no protobufjs runtime, Long or pbjs classes', (file) => {
    const code = readFileSync(path.join(dist, file), 'utf8');
    // Markers of each: protobufjs/minimal's Writer/Reader, long's class, the generated classes.
    expect(code).not.toMatch(/protobufjs|\$protobuf|LongBits|Long\.fromBits|\.prototype\.skipType\b|rc\.UpStreamMessage\s*=/);
    // The compact table the table codec reads is there instead.
    expect(code).toContain('UpStreamMessage:sessionId.i!');
  });
});

describe('the SDK bundles carry only the SDK\'s topics and messages (rollup.config.mjs sdkTables)', () => {
  const SDK_BUNDLES = ['lianxin.mjs', 'lianxin.umd.js', 'browser.mjs', 'miniprogram/index.js', ...MINI_PROGRAM_ENTRIES.map((h) => `${h}.mjs`)];
  // Topics only the server answers (src/protocol/official-topics.ts) and messages only they use.
  const SERVER_ONLY = ['rtcRJoin_data', 'rtc_ntf', 's_stat', 'setOfflineMsgDur', 'RtcNotifyMsg:', 'MPFollowInput:', 'GetUserStatusOutput:'];
  test.each(SDK_BUNDLES)('%s holds no server-only topic or message', (file) => {
    const code = readFileSync(path.join(dist, file), 'utf8');
    expect(SERVER_ONLY.filter((name) => code.includes(name))).toEqual([]);
    // The SDK's own entries are still there.
    expect(code).toContain('qryRelationR');
    expect(code).toContain('DownStreamMessage:');
  });
});

describe('bundles load on their hosts', () => {
  test('UMD defines the RongIMLib global in a fresh context with only a fake window', () => {
    const sandbox: Record<string, unknown> = {};
    sandbox['window'] = sandbox;
    const context = vm.createContext(sandbox);
    vm.runInContext(readFileSync(path.join(dist, 'lianxin.umd.js'), 'utf8'), context, { filename: 'lianxin.umd.js' });
    const api: unknown = sandbox['RongIMLib'];
    expect(typeof api).toBe('object');
    expect(Object.keys(api as object).length).toBeGreaterThan(0);
    // The bare `RongIMClient` global of the official script (API_CHECKLIST §1), the same object.
    expect(sandbox['RongIMClient']).toBe((api as { RongIMClient: unknown }).RongIMClient);
  });

  /**
   * A script's top-level `var`s are the page's globals: the lowering helpers (`__defProp`, `__async`, …) must
   * stay inside the script, or another script's helpers of the same name (other versions, other shapes) would
   * replace the ones the SDK calls.
   */
  test.each([
    ['lianxin.umd.js', ['RongIMClient', 'RongIMLib']],
    ['lianxin-emoji.umd.js', ['RongIMLib']],
  ])('%s adds no global but %j', (file, globals) => {
    const sandbox: Record<string, unknown> = {};
    sandbox['window'] = sandbox;
    const context = vm.createContext(sandbox);
    const before = new Set(vm.runInContext('Object.getOwnPropertyNames(this)', context) as string[]);
    vm.runInContext(readFileSync(path.join(dist, file), 'utf8'), context, { filename: file });
    const added = (vm.runInContext('Object.getOwnPropertyNames(this)', context) as string[]).filter((name) => !before.has(name));
    expect(added.sort()).toEqual(globals);
  });

  test('UMD leaves a RongIMClient global the page already has', () => {
    const mine = { mine: true };
    const sandbox: Record<string, unknown> = { RongIMClient: mine };
    sandbox['window'] = sandbox;
    vm.runInContext(readFileSync(path.join(dist, 'lianxin.umd.js'), 'utf8'), vm.createContext(sandbox));
    expect(sandbox['RongIMClient']).toBe(mine);
    expect(typeof (sandbox['RongIMLib'] as { RongIMClient: unknown }).RongIMClient).toBe('object');
  });

  test('UMD global and CommonJS default build expose the same names', () => {
    const sandbox: Record<string, unknown> = {};
    sandbox['window'] = sandbox;
    vm.runInContext(readFileSync(path.join(dist, 'lianxin.umd.js'), 'utf8'), vm.createContext(sandbox));
    const cjs = loadInBareHost(readFileSync(path.join(dist, 'lianxin.cjs'), 'utf8'));
    expect(Object.keys(sandbox['RongIMLib'] as object).sort()).toEqual(Object.keys(cjs).sort());
  });

  test.each(PER_HOST_MINIPROGRAM)('dist/miniprogram/%s.js is dist/<host>.cjs minified: the same exports (test/e2e/hosts-bundles runs both on a bare host)', (host) => {
    const perHost = loadInBareHost(readFileSync(path.join(dist, 'miniprogram', `${host}.js`), 'utf8'));
    const readable = loadInBareHost(readFileSync(path.join(dist, `${host}.cjs`), 'utf8'));
    expect(Object.keys(perHost)).toContain('RongIMClient');
    expect(Object.keys(perHost).sort()).toEqual(Object.keys(readable).sort());
  });

  /** The hosts' npm build copies dist/miniprogram/ into the app's size-capped package (rollup.config.mjs MINIFIED). */
  test.each(['index', 'emoji', ...PER_HOST_MINIPROGRAM])('dist/miniprogram/%s.js ships minified, its banner on the first line', (name) => {
    const code = readFileSync(path.join(dist, 'miniprogram', `${name}.js`), 'utf8');
    expect(code.split('\n')[0]).toMatch(/^\/\*! lianxin v\S+ \| MIT \*\/$/);
    // Minified: no indentation, a handful of lines; the readable build of the same code has thousands.
    expect(code.split('\n').length).toBeLessThan(20);
    expect(code).not.toMatch(/\n {2}\S/);
  });

  test('mini-program bundle loads with require, process and every global object shadowed', () => {
    const api = loadInBareHost(readFileSync(path.join(dist, 'miniprogram', 'index.js'), 'utf8'));
    expect(Object.keys(api).length).toBeGreaterThan(0);
  });

});

describe('public enums survive the compact enum emit (rollup.config.mjs compactEnums, scripts/compact-enums.mjs)', () => {
  /** TypeScript's own emit of the enum modules (tsc's transpiler, CommonJS), run: name → value and value → name, in order. */
  const tscEnums = ((): Record<string, object> => {
    const run = (file: string, required: Record<string, unknown>): Record<string, object> => {
      const js = ts.transpileModule(readFileSync(path.join(root, file), 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
      const moduleObject = { exports: {} as Record<string, object> };
      vm.runInNewContext(js, { module: moduleObject, exports: moduleObject.exports, require: (id: string) => required[id] });
      return moduleObject.exports;
    };
    return run('src/api/enums.ts', { '../errors': run('src/errors.ts', {}) });
  })();
  /** Every `declare enum` of an entry's bundled types: the public enums that entry's JavaScript must carry. */
  const declaredEnums = (types: string): string[] => [...types.matchAll(/^declare enum (\w+) \{/gm)].map((m) => m[1] ?? '').sort();
  const nodeRequire = createRequire(path.join(dist, 'node.cjs'));
  /** The exports of a built JavaScript artifact, evaluated the way its host loads it. */
  const exportsOf = (file: string): Record<string, unknown> => {
    const code = readFileSync(path.join(dist, file), 'utf8');
    if (file.endsWith('.umd.js')) {
      const sandbox: Record<string, unknown> = {};
      sandbox['window'] = sandbox;
      vm.runInContext(code, vm.createContext(sandbox), { filename: file });
      return sandbox['RongIMLib'] as Record<string, unknown>;
    }
    const cjs = file.endsWith('.mjs') ? transformSync(code, { loader: 'js', format: 'cjs', target: 'es2020' }).code : code;
    if (!file.startsWith('node.')) return loadInBareHost(cjs);
    const moduleObject: { exports: Record<string, unknown> } = { exports: {} };
    const factory: unknown = vm.runInThisContext(`(function (module, exports, require) {\n${cjs}\n})`, { filename: file });
    if (typeof factory !== 'function') throw new Error('vm did not return the module factory');
    factory(moduleObject, moduleObject.exports, nodeRequire);
    return moduleObject.exports;
  };
  const ENUM_BUNDLES = ARTIFACTS.map(rel)
    .map((file) => file.replace(/^dist\//, ''))
    .filter((file) => /\.(mjs|cjs|js)$/.test(file) && !/emoji/.test(file));

  test('the source enums imported here are TypeScript\'s own emit, and every entry declares exactly them', () => {
    expect(Object.keys(tscEnums).sort()).toEqual(Object.keys(enums).sort());
    for (const [name, value] of Object.entries(enums)) expect(Object.entries(tscEnums[name] ?? {})).toEqual(Object.entries(value as object));
    const names = Object.keys(tscEnums).filter((name) => name !== 'ConnectionState').sort();
    expect(names.length).toBeGreaterThan(15);
    for (const entry of ['lianxin', 'node', 'browser', ...MINI_PROGRAM_ENTRIES]) expect({ entry, enums: declaredEnums(readFileSync(path.join(dist, `${entry}.d.ts`), 'utf8')) }).toEqual({ entry, enums: names });
  });

  // test.each over every JavaScript artifact: ESM, CommonJS, UMD, mini-program files (the emoji plugin has no enums).
  test.each(ENUM_BUNDLES)('%s: every public enum equals TypeScript\'s emit, key order included', (file) => {
    const api = exportsOf(file);
    const names = Object.keys(tscEnums).filter((name) => name !== 'ConnectionState');
    for (const name of names) {
      expect({ name, keys: Object.keys(api[name] as object) }).toEqual({ name, keys: Object.keys(tscEnums[name] ?? {}) });
      expect({ name, entries: Object.entries(api[name] as object) }).toEqual({ name, entries: Object.entries(tscEnums[name] ?? {}) });
      expect(api[name]).toStrictEqual(tscEnums[name]);
    }
    // Duplicate values map back to the last name, as in TypeScript's emit (51001 → CLOSE_BEFORE_OPEN).
    expect((api['ErrorCode'] as Record<number, string>)[51001]).toBe('CLOSE_BEFORE_OPEN');
  });

  test.each(ENUM_BUNDLES)('%s carries no enum in TypeScript\'s emit (each is a table)', (file) => {
    // `X[X["A"] = 0] = "A"` as TypeScript/esbuild print it, or `e[e.A=0]="A"` minified.
    const code = readFileSync(path.join(dist, file), 'utf8');
    expect(code.match(/[\w$]+\[[\w$]+(?:\[\s*"[\w$]+"\s*\]|\.[\w$]+)\s*=\s*-?\d[^\]]*\]\s*=\s*"/g) ?? []).toEqual([]);
  });

  test('the bundled .d.ts still declares real enums', () => {
    const types = readFileSync(path.join(dist, 'lianxin.d.ts'), 'utf8');
    expect(types).toMatch(/declare enum ErrorCode \{/);
    expect(types).toMatch(/declare enum ConversationType \{/);
  });
});

describe('the emoji plugin is its own entry', () => {
  /** The first emoji row's Chinese name, as it appears in any bundle that carries the emoji table. */
  const EMOJI_TABLE_MARKER = /u1F600|\\u7B11\\u563B\\u563B|笑嘻嘻/;
  const IMLIB_BUNDLES = ['lianxin.mjs', 'lianxin.umd.js', 'browser.mjs', 'node.mjs', 'miniprogram/index.js', ...MINI_PROGRAM_ENTRIES.map((h) => `${h}.mjs`)];

  test.each(['emoji.mjs', 'emoji.cjs', 'lianxin-emoji.umd.js', 'miniprogram/emoji.js'])('%s carries the emoji table (the marker below is sound)', (file) => {
    expect(readFileSync(path.join(dist, file), 'utf8')).toMatch(EMOJI_TABLE_MARKER);
  });

  test.each(IMLIB_BUNDLES)('%s carries neither RongIMEmoji nor the emoji table', (file) => {
    const code = readFileSync(path.join(dist, file), 'utf8');
    expect(code).not.toMatch(/RongIMEmoji/);
    expect(code).not.toMatch(EMOJI_TABLE_MARKER);
  });

  const runScripts = (files: readonly string[]): Record<string, unknown> => {
    const sandbox: Record<string, unknown> = {};
    sandbox['window'] = sandbox;
    const context = vm.createContext(sandbox);
    for (const file of files) vm.runInContext(readFileSync(path.join(dist, file), 'utf8'), context, { filename: file });
    return sandbox;
  };

  test.each([
    ['after', ['lianxin.umd.js', 'lianxin-emoji.umd.js']],
    ['before', ['lianxin-emoji.umd.js', 'lianxin.umd.js']],
  ] as const)('the UMD plugin script loaded %s the IMLib UMD joins the same RongIMLib global', (_order, files) => {
    const lib = runScripts(files)['RongIMLib'] as Record<string, unknown>;
    const imlibOnly = Object.keys(runScripts(['lianxin.umd.js'])['RongIMLib'] as object);
    expect(Object.keys(lib).sort()).toEqual([...imlibOnly, 'RongIMEmoji', 'createRongIMEmoji'].sort());
    const emoji = lib['RongIMEmoji'] as { emojiToSymbol(text: string): string };
    expect(emoji.emojiToSymbol('😀')).toBe('[笑嘻嘻]');
  });

  test('the UMD plugin script alone creates RongIMLib; its mini-program file loads in a bare host', () => {
    const alone = runScripts(['lianxin-emoji.umd.js'])['RongIMLib'] as Record<string, unknown>;
    expect(Object.keys(alone).sort()).toEqual(['RongIMEmoji', 'createRongIMEmoji']);
    const mini = loadInBareHost(readFileSync(path.join(dist, 'miniprogram', 'emoji.js'), 'utf8'));
    expect((mini['RongIMEmoji'] as { symbolToEmoji(text: string): string }).symbolToEmoji('[赞]')).toBe('👍');
  });
});

describe('private members are renamed and shortened (rollup.config.mjs sourceEdits, scripts/private-renames.mjs)', () => {
  const JS = ARTIFACTS.filter((file) => !file.endsWith('.d.ts'));
  const renames = privateRenames(root);
  const editsByName = new Map<string, number>();
  for (const edits of renames.values()) {
    for (const edit of edits) {
      const name = edit.text.slice(edit.text.indexOf(PRIVATE_PREFIX) + PRIVATE_PREFIX.length).match(/^[\w$]+/)?.[0] ?? '';
      editsByName.set(name, (editsByName.get(name) ?? 0) + 1);
    }
  }
  // Names spelt nowhere in the sources but at their own renamed uses (comments included): none of them
  // may survive as a property in any bundle.
  const sources = ['src', 'platforms', path.join('proto', 'gen')]
    .flatMap((dir) => tsFilesUnder(path.join(root, dir)))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const wordCount = (name: string): number => (sources.match(new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g')) ?? []).length;
  const exclusive = [...editsByName].filter(([name, edits]) => wordCount(name) === edits).map(([name]) => name);

  test('the sources have private members to rename, most of them spelt nowhere else', () => {
    expect(editsByName.size).toBeGreaterThan(150);
    expect(exclusive.length).toBeGreaterThan(60);
  });

  test.each(JS.map((file) => [rel(file), file] as const))('%s: no marked name is left as a property, no private-only name at all', (_name, file) => {
    const code = readFileSync(file, 'utf8');
    expect(code.match(/[.'"`]_\$p_[\w$]*/g) ?? []).toEqual([]);
    const left = exclusive.filter((name) => new RegExp(`[.'"\`]${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(code));
    expect(left).toEqual([]);
  });
});
