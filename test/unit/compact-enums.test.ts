/**
 * scripts/compact-enums.mjs (the build's numeric enums as tables, rollup.config.mjs compactEnums) on small
 * modules: the rewritten module builds objects equal to TypeScript's own emit — same keys, same values,
 * same key order, the last name for a duplicate value — and is shorter; enums of any other form are left
 * to TypeScript.
 */
import vm from 'node:vm';
import { transformSync } from 'esbuild';
import ts from 'typescript';
import { ENUM_TABLE_CODE, ENUM_TABLE_IMPORT, compactEnumEdits } from '../../scripts/compact-enums.mjs';

/** TypeScript's emit of a module, run: its exports. */
function evaluate(source: string, globals: Record<string, unknown> = {}): Record<string, object> {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const module = { exports: {} as Record<string, object> };
  vm.runInNewContext(js, { module, exports: module.exports, ...globals });
  return module.exports;
}

/** The module as the build sees it after the pass, and the helper it imports. */
function rewritten(source: string): string {
  let out = '';
  let at = 0;
  for (const edit of compactEnumEdits(source, 'sample.ts')) {
    out += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + source.slice(at);
}

function evaluateRewritten(source: string): Record<string, object> {
  const helper = { module: { exports: {} as Record<string, unknown> } };
  vm.runInNewContext(ts.transpileModule(ENUM_TABLE_CODE, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText, { exports: helper.module.exports, module: helper.module });
  return evaluate(rewritten(source), { __enumTable: helper.module.exports['enumTable'] });
}

const minified = (code: string): number => transformSync(code, { loader: 'ts', minify: true, format: 'esm' }).code.length;

const SAMPLE = `
/* eslint-disable -- a comment with { braces } and a /* nested opener */
/** Aliases, negatives, zero, implicit members, a comment that opens a block: // see a/*b */
export enum ErrorCode {
  TIMEOUT = -1,
  UNKNOWN = -2, // a/*b, not a block comment
  SUCCESS = 0,
  CANCEL, // 1 { not a block }
  REJECT,
  /** an alias: the reverse mapping keeps the last name */
  COOKIE_ENABLE = 51001,
  CLOSE_BEFORE_OPEN = 51001,
  ALREADY_IN_USE,
  GET_MESSAGE_BY_ID_ERROR = 61001,
  DELETE_MESSAGE_ID_IS_NULL = 61001,
}
export enum LogLevel { LOG = 0, DEBUG = 0, INFO = 1, WARN, ERROR, NONE = 1000 }
enum Implicit { A, B, C }
export const implicitB = Implicit.B;
export enum Forms { HEX = 0x10, SEPARATED = 1_000, EXPONENT = 1e3, HALF = 1.5, NEXT, 'quoted name' = 7, BELOW = -3, UP }
export enum Descending { FIRST = 5, SECOND = 4, THIRD = 3, ZERO = 0, MINUS_ONE = -1 }
`;

describe('compactEnumEdits', () => {
  test('the rewritten module builds the objects TypeScript builds: keys, values, key order, aliases', () => {
    const expected = evaluate(SAMPLE);
    const actual = evaluateRewritten(SAMPLE);
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const name of ['ErrorCode', 'LogLevel', 'Forms', 'Descending']) {
      expect(Object.keys(actual[name] ?? {})).toEqual(Object.keys(expected[name] ?? {}));
      expect(Object.entries(actual[name] ?? {})).toEqual(Object.entries(expected[name] ?? {}));
      expect(actual[name]).toStrictEqual(expected[name]);
    }
    expect(actual['implicitB']).toBe(1);
    const errorCode = actual['ErrorCode'] as Record<string | number, string | number>;
    expect(errorCode[51001]).toBe('CLOSE_BEFORE_OPEN');
    expect(errorCode[61001]).toBe('DELETE_MESSAGE_ID_IS_NULL');
    expect(errorCode[51002]).toBe('ALREADY_IN_USE');
    expect(errorCode['-1']).toBe('TIMEOUT');
    // The order TypeScript gives: integer-like keys first ascending ("0", "1", …), then the rest as assigned
    // ("TIMEOUT", "-1", "UNKNOWN", "-2", …): the rewritten object has it because it assigns in the same order.
    expect(Object.keys(errorCode).slice(0, 3)).toEqual(['0', '1', '2']);
  });

  test('every enum of the sample is rewritten, each name written once, and the module is shorter', () => {
    const out = rewritten(SAMPLE);
    expect(compactEnumEdits(SAMPLE, 'sample.ts')).toHaveLength(5);
    expect(out).not.toMatch(/\benum\s/);
    expect(out).toContain('__enumTable("TIMEOUT=-1,UNKNOWN=-2,SUCCESS=0,CANCEL,REJECT,COOKIE_ENABLE=51001,CLOSE_BEFORE_OPEN=51001,ALREADY_IN_USE,');
    expect(out).toContain('__enumTable("A,B,C")');
    // Minified, TypeScript's emit against the rewrite plus the one helper every bundle carries once.
    const before = minified(SAMPLE);
    const after = minified(ENUM_TABLE_IMPORT + out);
    const helper = minified(ENUM_TABLE_CODE);
    expect(after).toBeLessThan(before);
    expect(after + helper).toBeLessThan(before);
  });

  test.each([
    ['a string member', 'export enum E { A = 1, B = "b" }'],
    ['a computed member', 'export enum E { A = 1 << 2, B = 3 }'],
    ['a member that names another', 'export enum E { A = 1, B = A }'],
    ['a parenthesised literal', 'export enum E { A = (1) }'],
    ['negative zero', 'export enum E { A = -0 }'],
    ['a name the table cannot spell', 'export enum E { "a,b" = 1 }'],
    ['a declared enum', 'export declare enum E { A = 1 }'],
    ['a const enum', 'export const enum E { A = 1 }'],
    ['an enum merged with another declaration', 'export enum E { A = 1 }\nexport enum E { B = 2 }'],
    ['an enum merged with a namespace', 'export enum E { A = 1 }\nexport namespace E { export const x = 1; }'],
    ['an enum inside a function', 'export function f() { enum E { A = 1 } return E; }'],
    ['an empty enum', 'export enum E {}'],
  ])('%s is left to TypeScript', (_what, source) => {
    expect(compactEnumEdits(source, 'sample.ts')).toEqual([]);
  });
});
