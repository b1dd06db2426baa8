/**
 * scripts/enum-inlines.mjs (the build's enum member reads written as their values, rollup.config.mjs
 * sourceEdits) on a small project: reads of a member through the enum's own binding — imported, renamed,
 * re-exported — become the value, and the module computes what it computed before; a key, a string, another
 * object's property of the same spelling, a string enum and a read through anything else stay.
 */
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { enumInlines } from '../../scripts/enum-inlines.mjs';
import { editsProject, withEdits } from '../support/build-edits-project';

function project(files: Record<string, string>): string {
  return editsProject('lianxin-enum-inlines-', { target: 'ES2020', module: 'ESNext', moduleResolution: 'Bundler', strict: true, verbatimModuleSyntax: true }, files);
}

/** A set of modules transpiled by tsc to CommonJS and run together: the exports of `entry`. */
function run(files: Record<string, string>, entry: string): Record<string, unknown> {
  const cache = new Map<string, Record<string, unknown>>();
  const load = (file: string): Record<string, unknown> => {
    const known = cache.get(file);
    if (known !== undefined) return known;
    const moduleObject = { exports: {} as Record<string, unknown> };
    cache.set(file, moduleObject.exports);
    const js = ts.transpileModule(files[file] ?? '', { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const require = (id: string): Record<string, unknown> => load(path.posix.join(path.posix.dirname(file), `${id}.ts`));
    vm.runInNewContext(js, { module: moduleObject, exports: moduleObject.exports, require });
    return moduleObject.exports;
  };
  return load(entry);
}

const ERRORS = [
  '/* eslint-disable */',
  'export enum ErrorCode { TIMEOUT = -1, SUCCESS = 0, CANCEL, COOKIE_ENABLE = 51001, CLOSE_BEFORE_OPEN = 51001, NEXT }',
  'export enum Named { A = "a", B = "b" }',
  'export enum Computed { A = 1 << 3, B = A | 1 }',
  'export const local = ErrorCode.CANCEL + Computed.B;',
  '',
].join('\n');
const REEXPORT = "export { ErrorCode as Codes } from './errors';\n";
const USE = [
  "import { ErrorCode, Named } from '../src/errors';",
  "import { ErrorCode as EC } from '../src/errors';",
  "import { Codes } from '../src/reexport';",
  "import * as errors from '../src/errors';",
  'const look = { TIMEOUT: 7, CANCEL: 8 };',
  'class Holder { codes = ErrorCode; read(): number { return this.codes.TIMEOUT; } }',
  'export const values = [ErrorCode.TIMEOUT, EC.CANCEL, Codes.NEXT, ErrorCode.CLOSE_BEFORE_OPEN, -ErrorCode.TIMEOUT, 2 - ErrorCode.TIMEOUT];',
  "export const strings = [ErrorCode.TIMEOUT.toString(), ErrorCode[ErrorCode.COOKIE_ENABLE], Named.A, 'ErrorCode.TIMEOUT'];",
  'export const others = [look.TIMEOUT, look.CANCEL, new Holder().read(), errors.ErrorCode.SUCCESS];',
  'export const reverse = ErrorCode[51001];',
  '',
].join('\n');
const FILES = { 'src/errors.ts': ERRORS, 'src/reexport.ts': REEXPORT, 'platforms/use.ts': USE };

test('reads of a numeric member through the enum binding become the value; nothing else changes', () => {
  const root = project(FILES);
  const edits = enumInlines(root);
  const use = withEdits(edits, root, 'platforms/use.ts', USE);
  expect(use).toContain('export const values = [(-1), (1), (51002), (51001), -(-1), 2 - (-1)];');
  expect(use).toContain("export const strings = [(-1).toString(), ErrorCode[(51001)], Named.A, 'ErrorCode.TIMEOUT'];");
  // Not the enum's own binding, or not an enum: another object's key, a class field, a namespace import.
  expect(use).toContain('export const others = [look.TIMEOUT, look.CANCEL, new Holder().read(), errors.ErrorCode.SUCCESS];');
  expect(use).toContain('return this.codes.TIMEOUT;');
  expect(use).toContain('export const reverse = ErrorCode[51001];');
  // In the enum's own module, a numeric member of a computed enum too (the compiler knows its value).
  expect(withEdits(edits, root, 'src/errors.ts', ERRORS)).toContain('export const local = (1) + (9);');
  expect(edits.has(path.join(root, 'src/reexport.ts'))).toBe(false);
});

test('the rewritten modules compute what the originals computed', () => {
  const root = project(FILES);
  const edits = enumInlines(root);
  const after = Object.fromEntries(Object.entries(FILES).map(([file, text]) => [file, withEdits(edits, root, file, text)]));
  const before = run(FILES, 'platforms/use.ts');
  expect(run(after, 'platforms/use.ts')).toEqual(before);
  expect(before['values']).toEqual([-1, 1, 51002, 51001, 1, 3]);
  expect(run(after, 'src/errors.ts')).toEqual(run(FILES, 'src/errors.ts'));
});
