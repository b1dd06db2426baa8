/**
 * Build step for the SDK bundles (rollup.config.mjs `compactEnums`): each numeric TypeScript enum of the
 * SDK's sources is emitted as `enumTable("A=-1,B=-2,C=0,D,…")` instead of TypeScript's
 * `E[E["A"] = -1] = "A"; …`, which writes every name twice (the public `ErrorCode` alone has ~160
 * members). In the table a member without `=value` is the previous value plus one (the first: 0): the
 * rule TypeScript itself applies to a member without an initializer.
 *
 * The object built at load is the one TypeScript's emit builds: the same assignments in the same order
 * (name → value, then value → name), so the own keys come in the same order and a duplicate value
 * (an alias such as 51001) maps back to the last name assigned, exactly as in TypeScript's emit.
 * Only the JavaScript changes: the source, tsc and the bundled .d.ts keep the real enum.
 *
 * Which enums: a top-level `[export] enum X { … }` (not `declare`, not `const`, not merged with another
 * declaration of the same name in the file) whose every member is named by an identifier or a string and
 * is a numeric literal, a negated one, or has no initializer. Anything else (a string member, a computed or
 * referencing initializer) is left to TypeScript's emit (esbuild). The declaration is found with
 * TypeScript's parser, so comments, nesting and member forms are read as the compiler reads them.
 */
import ts from 'typescript';

/** Module id of the one shared helper (a rollup virtual module). */
export const ENUM_TABLE_ID = '\0lianxin-enum-table';

/** The helper, ES5 syntax: it runs in every bundle, the legacy ones included. */
export const ENUM_TABLE_CODE = `export function enumTable(spec) {
  var table = {};
  var value = -1;
  spec.split(',').forEach(function (member) {
    var at = member.indexOf('=');
    var name = at < 0 ? member : member.slice(0, at);
    value = at < 0 ? value + 1 : +member.slice(at + 1);
    table[(table[name] = value)] = name;
  });
  return table;
}
`;

/** The import each rewritten module gets (prepended). */
export const ENUM_TABLE_IMPORT = `import { enumTable as __enumTable } from ${JSON.stringify(ENUM_TABLE_ID)};\n`;

/** The number a member initializer is, or undefined when it is not a (negated) numeric literal. */
function literalValue(initializer) {
  if (ts.isNumericLiteral(initializer)) return Number(initializer.text);
  if (ts.isPrefixUnaryExpression(initializer) && ts.isNumericLiteral(initializer.operand)) {
    if (initializer.operator === ts.SyntaxKind.MinusToken) return -Number(initializer.operand.text);
    if (initializer.operator === ts.SyntaxKind.PlusToken) return Number(initializer.operand.text);
  }
  return undefined;
}

/** A value the table can spell: `+String(value)` gives it back (not -0, NaN or Infinity). */
const spellable = (value) => Number.isFinite(value) && !Object.is(value, -0) && +String(value) === value;

/** The table text of one enum declaration, or undefined when the enum is not one the pass rewrites. */
export function enumSpec(declaration) {
  const parts = [];
  let previous;
  for (const member of declaration.members) {
    if (!ts.isIdentifier(member.name) && !ts.isStringLiteral(member.name)) return undefined;
    const name = member.name.text;
    if (name === '' || /[,=]/.test(name)) return undefined;
    const implicit = previous === undefined ? 0 : previous + 1;
    const value = member.initializer === undefined ? implicit : literalValue(member.initializer);
    if (value === undefined || !spellable(value)) return undefined;
    parts.push(value === implicit ? name : `${name}=${String(value)}`);
    previous = value;
  }
  return parts.length === 0 ? undefined : parts.join(',');
}

/** The declared name of a top-level statement, when it declares one that an enum could merge with. */
function declaredName(statement) {
  if ((ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement) || ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name !== undefined) {
    return statement.name.text;
  }
  return undefined;
}

/**
 * Edits `{ start, end, text }` (sorted, on `code`) that rewrite the module's compactable enums, or
 * an empty array. `fileName` only names the module for the parser. A module with edits also needs
 * ENUM_TABLE_IMPORT in front.
 */
export function compactEnumEdits(code, fileName) {
  if (!/\benum\s/.test(code)) return [];
  const sourceFile = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const seen = new Map();
  for (const statement of sourceFile.statements) {
    const name = declaredName(statement);
    if (name !== undefined) seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  const edits = [];
  for (const statement of sourceFile.statements) {
    if (!ts.isEnumDeclaration(statement) || seen.get(statement.name.text) !== 1) continue;
    const modifiers = ts.getModifiers(statement) ?? [];
    if (modifiers.some((m) => m.kind !== ts.SyntaxKind.ExportKeyword)) continue; // declare, const, default
    const spec = enumSpec(statement);
    if (spec === undefined) continue;
    const exported = modifiers.length > 0 ? 'export ' : '';
    edits.push({
      start: statement.getStart(sourceFile),
      end: statement.getEnd(),
      text: `${exported}const ${statement.name.text} = /* @__PURE__ */ __enumTable(${JSON.stringify(spec)});`,
    });
  }
  return edits;
}
