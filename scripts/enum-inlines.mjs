/**
 * Build step for the SDK bundles (rollup.config.mjs `sourceEdits`): every read of a numeric enum member
 * in the SDK's own code, `ErrorCode.BIZ_ERROR_INVALID_PARAMETER`, is written as its value, `(33003)`, the
 * way TypeScript emits a `const enum` read and esbuild inlines enums when it bundles from source. The
 * per-module esbuild step of the rollup build sees one module at a time and cannot do it: each read kept
 * the member's name (the WeChat build had 131 such reads, 88 of them of `ErrorCode`).
 *
 * Found with the type checker, not by spelling: a property access `E.M` is rewritten only when `E` is an
 * identifier bound (directly or through imports) to a regular enum declared in src/ or platforms/ and `M`
 * resolves to one of its members whose constant value the compiler computes as a finite number. An object
 * key, a string or another object's property of the same spelling is another symbol and stays; so does a
 * read through anything but the enum's own binding (`this.codes.M`, `enums.E.M`), and an assignment or
 * `delete` target. The enum objects themselves are unchanged and still exported (apps read them, and the
 * reverse mapping `E[value]` is a computed read that stays); only the SDK's reads of a member no longer
 * look it up at run time, so an app that overwrote a member of the exported object would no longer be seen.
 *
 * Edits are offsets into the files on disk, like scripts/private-renames.mjs, and are applied in the same
 * transform; they never overlap a private-member rename (an enum member is not a class member).
 */
import path from 'node:path';
import ts from 'typescript';
import { tsFilesUnder } from './private-renames.mjs';

const SOURCE_ROOTS = ['src', 'platforms'];

/** `node` is written to (assignment, compound assignment, ++/--) or deleted. */
function isWriteTarget(node) {
  const parent = node.parent;
  if (ts.isBinaryExpression(parent) && parent.left === node) {
    const op = parent.operatorToken.kind;
    return op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
  }
  if (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) {
    return parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken;
  }
  return ts.isDeleteExpression(parent);
}

/**
 * Map of absolute source file → edits `{ start, end, text }` (sorted, non-overlapping, on the file as it is
 * on disk) that write each enum member read as its value. `root` is the repository root; `files` defaults to
 * every TypeScript source under src/ and platforms/.
 */
export function enumInlines(root, files = SOURCE_ROOTS.flatMap((dir) => tsFilesUnder(path.join(root, dir)))) {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), ts.sys.readFile);
  if (config.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram({ rootNames: files, options: { ...options, noEmit: true } });
  const checker = program.getTypeChecker();
  const inScope = (file) => SOURCE_ROOTS.some((dir) => path.resolve(file).startsWith(path.join(root, dir) + path.sep)) && !file.endsWith('.d.ts');

  /** The enum declaration `expression` is bound to, if it is an identifier naming a regular enum of ours. */
  const enumOf = (expression) => {
    if (!ts.isIdentifier(expression)) return undefined;
    let symbol = checker.getSymbolAtLocation(expression);
    if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    if (symbol === undefined || !(symbol.flags & ts.SymbolFlags.RegularEnum) || symbol.flags & ~(ts.SymbolFlags.RegularEnum | ts.SymbolFlags.Alias)) return undefined;
    const declarations = symbol.declarations ?? [];
    if (declarations.length !== 1 || !ts.isEnumDeclaration(declarations[0]) || !inScope(declarations[0].getSourceFile().fileName)) return undefined;
    return declarations[0];
  };

  const result = new Map();
  for (const file of files) {
    const sourceFile = program.getSourceFile(file);
    if (sourceFile === undefined) throw new Error(`enum-inlines: ${path.relative(root, file)} is not in the program`);
    const edits = [];
    const visit = (node) => {
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name) && !isWriteTarget(node)) {
        const declaration = enumOf(node.expression);
        const member = declaration === undefined ? undefined : checker.getSymbolAtLocation(node.name);
        const memberDeclaration = member?.valueDeclaration;
        if (memberDeclaration !== undefined && ts.isEnumMember(memberDeclaration) && memberDeclaration.parent === declaration) {
          const value = checker.getConstantValue(memberDeclaration);
          if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) {
            edits.push({ start: node.getStart(sourceFile), end: node.getEnd(), text: `(${String(value)})` });
            return;
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
    if (edits.length > 0) result.set(path.resolve(file), edits);
  }
  return result;
}
