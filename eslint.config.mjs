/**
 * Lint = style basics + the architecture's dependency rules (docs/ARCHITECTURE.md §Dependency
 * direction). Deliberately type-unaware (no project service) so `npm run lint` stays fast;
 * `npm run typecheck` does the type work.
 * Scope: src/, platforms/, server/ (src + test), test/, bench/, scripts/ and the root config files.
 *
 * Flat-config caveat: a later block that sets `no-restricted-imports` REPLACES the earlier
 * options for the files it matches, so each folder's block lists its complete set of rules.
 * Blocks below are therefore built from the shared pieces in IMPORT_RULES.
 */
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const BUILTINS = builtinModules.filter((m) => !m.startsWith('_')).map(escape).join('|');

/** `no-restricted-imports` pattern objects, matched against the import specifier. */
const IMPORT_RULES = {
  nodeBuiltins: {
    regex: `^(?:node:.*|(?:${BUILTINS})(?:/.*)?)$`,
    message: 'Node built-ins are host APIs: only platforms/node/, server/, test/, bench/ and scripts/ may use them.',
  },
  nodeOnlyPackages: {
    regex: '^(?:ws|fastify|better-sqlite3|pg|postgres|ioredis|redis|tsx)(?:/.*)?$',
    message: 'Server/Node-only package: not allowed in the SDK core or browser/mini-program platforms.',
  },
  officialSdk: {
    regex: '^@rongcloud/',
    message: 'The official RongCloud SDK may only be used by interop tests (test/), never shipped or copied.',
  },
  // Relative specifiers that climb out to a top-level folder. None of these names exists inside
  // src/ or platforms/ (note src/platform is singular), so a climbing match is always a top-level one.
  toPlatforms: { regex: '^(?:\\.\\./)+platforms(?:/|$)', message: 'src/ must not depend on platforms/ (platforms depend on src).' },
  toServer: { regex: '^(?:\\.\\./)+server(?:/|$)', message: 'The SDK side must not import server code.' },
  toTest: { regex: '^(?:\\.\\./)+test(?:/|$)', message: 'Production code must not import test code.' },
  toTooling: { regex: '^(?:\\.\\./)+(?:bench|scripts|demo-[\\w-]+)(?:/|$)', message: 'Production code must not import bench/, scripts/ or demos.' },
};

/** The SDK core is pure: no host objects, timers, text codecs or sockets (they come through PlatformAdapter). */
const HOST_GLOBALS = [
  'window', 'document', 'self', 'globalThis', 'global', 'navigator', 'location',
  'process', 'Buffer', 'require', 'module', '__dirname', '__filename',
  'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'setImmediate', 'queueMicrotask',
  'TextEncoder', 'TextDecoder', 'atob', 'btoa',
  'WebSocket', 'XMLHttpRequest', 'fetch', 'localStorage', 'sessionStorage', 'performance', 'crypto',
  'wx', 'my', 'tt', 'swan', 'uni',
].map((name) => ({
  name,
  message: `"${name}" is a host global: src/ reaches the host only through PlatformAdapter (platform/platform-adapter.ts).`,
}));

/**
 * server/src/<depth>/file.ts reaches the repo root through (depth + 2) `../`. Knowing the exact
 * depth lets the rule tell the SDK's src/ apart from server/src/ itself, so server code can be
 * held to the single door `src/internal`. Flat config globs cannot express "depth d", so one
 * block per depth is generated.
 */
const MAX_SERVER_DEPTH = 6;

/**
 * Who may name a concrete engine: the composition root, and the engines' own files. Everything
 * else in server/src depends on the Store/Broker/PresenceRegistry interfaces only.
 */
const ENGINE_OWNERS = [
  { dir: 'server/src', file: 'main.ts' },
  { dir: 'server/src/broker', file: 'redis-*.ts' },
  { dir: 'server/src/broker', file: 'memory-*.ts' },
  { dir: 'server/src/store/sqlite', file: '*.ts', recursive: true },
  { dir: 'server/src/store/postgres', file: '*.ts', recursive: true },
];
const concreteEngines = {
  regex: '(?:^|/)(?:sqlite|postgres)(?:/|$)|(?:^|/)(?:sqlite|postgres)-store$|(?:^|/)(?:redis|memory)-(?:broker|presence)$|(?:^|/)broker/(?:redis|memory)-',
  message: 'Concrete store/broker engines are chosen only in server/src/main.ts (the composition root); depend on the interfaces.',
};

function engineOwnersAtDepth(depth) {
  return ENGINE_OWNERS.flatMap(({ dir, file, recursive }) => {
    const base = dir.split('/').length - 2;
    if (recursive ? depth < base : depth !== base) return [];
    return [`${dir}/${'*/'.repeat(depth - base)}${file}`];
  });
}

function serverBlocks() {
  return Array.from({ length: MAX_SERVER_DEPTH }, (_, depth) => {
    const toRoot = `^${'\\.\\./'.repeat(depth + 2)}`;
    const toServer = `^${'\\.\\./'.repeat(depth + 1)}`;
    const patterns = [
      { regex: `${toRoot}src/(?!internal$)`, message: 'server/src imports SDK code only through src/internal.' },
      { regex: `${toRoot}(?:proto|platforms|test|bench|scripts|demo-[\\w-]+)(?:/|$)`, message: 'server/src may not import platforms/, proto/ (use src/internal), test/, bench/ or scripts/.' },
      { regex: `${toServer}test(?:/|$)`, message: 'server/src must not import server/test.' },
      IMPORT_RULES.officialSdk,
    ];
    const owners = engineOwnersAtDepth(depth);
    return [
      { files: [`server/src/${'*/'.repeat(depth)}*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: [...patterns, concreteEngines] }] } },
      ...(owners.length > 0 ? [{ files: owners, rules: { 'no-restricted-imports': ['error', { patterns }] } }] : []),
    ];
  }).flat();
}

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**', 'dist/**', 'proto/gen/**', '.tmp/**', 'coverage/**', 'data/**',
      'bench/.runs/**', 'demo-*/**',
    ],
  },
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', {
        'ts-ignore': true,
        'ts-nocheck': true,
        'ts-check': false,
        'ts-expect-error': 'allow-with-description',
        minimumDescriptionLength: 5,
      }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      // `let x; const stop = () => x?.close(); x = await open();` is a deliberate shape (shutdown hooks).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          IMPORT_RULES.nodeBuiltins, IMPORT_RULES.nodeOnlyPackages, IMPORT_RULES.officialSdk,
          IMPORT_RULES.toPlatforms, IMPORT_RULES.toServer, IMPORT_RULES.toTest, IMPORT_RULES.toTooling,
        ],
      }],
      'no-restricted-globals': ['error', ...HOST_GLOBALS],
    },
  },
  {
    files: ['platforms/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          IMPORT_RULES.nodeBuiltins, IMPORT_RULES.nodeOnlyPackages, IMPORT_RULES.officialSdk,
          IMPORT_RULES.toServer, IMPORT_RULES.toTest, IMPORT_RULES.toTooling,
        ],
      }],
    },
  },
  {
    // Only the Node platform may touch Node: it is the one entry built with ws/node:* external.
    // Contract suites (`*.contract.ts`) are test code run under Node (they stand up real sockets)
    // and are never reachable from a bundle entry.
    files: ['platforms/node/**/*.ts', 'platforms/**/*.contract.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [IMPORT_RULES.officialSdk, IMPORT_RULES.toServer, IMPORT_RULES.toTest, IMPORT_RULES.toTooling],
      }],
    },
  },
  serverBlocks(),
  {
    // swc compiles tests (and what they import) to CommonJS, where `import.meta` does not exist.
    files: ['src/**/*.ts', 'platforms/**/*.ts', 'test/**/*.ts', 'server/test/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "MetaProperty[meta.name='import']",
        message: 'import.meta breaks under jest (swc → CommonJS); pass paths/URLs in explicitly.',
      }],
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
