/**
 * The published declarations compile for an app that has nothing but the package: each entry's .d.ts,
 * copied with package.json into a fresh node_modules/lianxin outside this repository (so no devDependency
 * can resolve), is type-checked under `strict` with `skipLibCheck: false` and no ambient @types. A .d.ts
 * that imports a module the package does not depend on (protobufjs, for the wire schema's pbjs types), or
 * names an undeclared global, fails here as it would in the app's `tsc`.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { ensureBuilt, REPO_ROOT } from '../support/dist';

/** package.json "exports" subpath → its dist/<name>.d.ts (bundle-hygiene checks the two agree). */
const ENTRIES = ['lianxin', 'node', 'browser', 'wechat', 'toutiao', 'baidu', 'alipay', 'uniapp'];

let dir: string;

beforeAll(() => {
  ensureBuilt([...ENTRIES, 'emoji'].map((name) => `dist/${name}.d.ts`));
  dir = mkdtempSync(path.join(os.tmpdir(), 'lx-types-'));
  const pkg = path.join(dir, 'node_modules', 'lianxin');
  mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(pkg, 'package.json'));
  for (const file of readdirSync(path.join(REPO_ROOT, 'dist')).filter((f) => f.endsWith('.d.ts'))) {
    copyFileSync(path.join(REPO_ROOT, 'dist', file), path.join(pkg, 'dist', file));
  }
}, 300_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function diagnosticsOf(source: string): string[] {
  const file = path.join(dir, `app-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types: [],
    lib: ['lib.es2020.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2020,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

test.each(ENTRIES)('lianxin%s: an app compiles against the published .d.ts alone', (name) => {
  const specifier = name === 'lianxin' ? 'lianxin' : `lianxin/${name}`;
  const source = [
    `import { RongIMClient, TextMessage, ErrorCode, type Message } from '${specifier}';`,
    "RongIMClient.init('appkey', null, { navi: 'http://127.0.0.1:9200' });",
    "const im = RongIMClient.getInstance();",
    "im.sendMessage(1, 'u2', new TextMessage({ content: 'hi' }), { onSuccess: (m: Message) => m.messageUId, onError: (code: ErrorCode) => code });",
    '',
  ].join('\n');
  expect(diagnosticsOf(source)).toEqual([]);
});

test('lianxin/emoji: the plugin compiles against its .d.ts alone', () => {
  expect(diagnosticsOf("import { RongIMEmoji } from 'lianxin/emoji';\nRongIMEmoji.init();\n")).toEqual([]);
});

test('the check sees a broken declaration (an import the package does not depend on)', () => {
  const pkg = path.join(dir, 'node_modules', 'lianxin');
  writeFileSync(path.join(pkg, 'dist', 'broken.d.ts'), "import type { Writer } from 'protobufjs';\nexport declare const w: Writer;\n");
  const diagnostics = diagnosticsOf("import { w } from './node_modules/lianxin/dist/broken';\nvoid w;\n");
  expect(diagnostics.join('\n')).toMatch(/protobufjs/);
});
