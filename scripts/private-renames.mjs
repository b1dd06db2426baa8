/**
 * Build step for the SDK bundles (rollup.config.mjs): every `private`/`protected` class member of the
 * SDK's sources (src/, platforms/) gets the marker prefix PRIVATE_PREFIX at its declaration and at
 * every reference TypeScript's own rename finds (`this.x`, `other.x` where `other` is the class,
 * destructuring, `this['x']`, subclasses' uses of a protected member, a parameter property's uses in
 * its constructor), and the rendered chunk's esbuild pass shortens every marked name (`mangleProps`).
 *
 * Why the compiler and not a word scan: a private member often shares its word with an object key, a
 * wire field or a host API property elsewhere (`logger`, `options`, `timer`, `platform`), so renaming a
 * word everywhere is unsafe, and renaming it nowhere leaves ≈ 6 KB of names in every bundle. The
 * language service resolves each occurrence to its symbol, so only the member's own uses change and an
 * object key of the same spelling stays.
 *
 * Only the JavaScript of the bundles changes: the source, tsc and the bundled .d.ts keep the names
 * (private members are not part of any public type). A rename location outside src/ and platforms/
 * (a .d.ts, a dependency) is refused: such a name is bound to a contract we do not own.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Marks a renamed member; `mangleProps` in the chunk pass matches exactly these names. */
export const PRIVATE_PREFIX = '_$p_';
export const PRIVATE_PROPS = /^_\$p_/;

const SOURCE_ROOTS = ['src', 'platforms'];

/** The TypeScript sources under `dir` (recursive), declaration files left out. */
export function tsFilesUnder(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) return tsFilesUnder(file);
    return file.endsWith('.ts') && !file.endsWith('.d.ts') ? [file] : [];
  });
}

const hasModifier = (node, kind) => (ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []).some((m) => m.kind === kind);
const isHidden = (node) => hasModifier(node, ts.SyntaxKind.PrivateKeyword) || hasModifier(node, ts.SyntaxKind.ProtectedKeyword);

/** The name nodes of every private/protected member (and parameter property) declared in a file. */
function hiddenMemberNames(sourceFile) {
  const names = [];
  const visit = (node) => {
    if (ts.isClassLike(node)) {
      for (const member of node.members) {
        if (isHidden(member) && member.name !== undefined && ts.isIdentifier(member.name)) names.push(member.name);
        if (ts.isConstructorDeclaration(member)) {
          for (const parameter of member.parameters) {
            if (isHidden(parameter) && ts.isIdentifier(parameter.name)) names.push(parameter.name);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return names;
}

/**
 * Map of absolute source file → edits `{ start, end, text }` (non-overlapping, on the file as it is on
 * disk) that prefix every private/protected member name. `root` is the repository root.
 */
export function privateRenames(root) {
  const files = SOURCE_ROOTS.flatMap((dir) => tsFilesUnder(path.join(root, dir)));
  const config = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), ts.sys.readFile);
  if (config.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const host = {
    getScriptFileNames: () => files,
    getScriptVersion: () => '1',
    getScriptSnapshot: (file) => (ts.sys.fileExists(file) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(file) ?? '') : undefined),
    getCurrentDirectory: () => root,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  const program = service.getProgram();
  const inScope = (file) => SOURCE_ROOTS.some((dir) => path.resolve(file).startsWith(path.join(root, dir) + path.sep)) && !file.endsWith('.d.ts');
  const edits = new Map();
  const add = (file, start, end, text) => {
    const byStart = edits.get(file) ?? new Map();
    edits.set(file, byStart);
    const known = byStart.get(start);
    if (known !== undefined && (known.end !== end || known.text !== text)) {
      throw new Error(`private-renames: two renames disagree at ${path.relative(root, file)}:${start} (${known.text} / ${text})`);
    }
    byStart.set(start, { start, end, text });
  };
  for (const file of files) {
    const sourceFile = program.getSourceFile(file);
    for (const name of hiddenMemberNames(sourceFile)) {
      const locations = service.findRenameLocations(file, name.getStart(sourceFile), false, false, { providePrefixAndSuffixTextForRename: true });
      if (locations === undefined) throw new Error(`private-renames: ${path.relative(root, file)}: \`${name.text}\` cannot be renamed`);
      for (const location of locations) {
        if (!inScope(location.fileName)) {
          throw new Error(`private-renames: \`${name.text}\` (${path.relative(root, file)}) is also named by ${location.fileName}`);
        }
        const { start, length } = location.textSpan;
        add(path.resolve(location.fileName), start, start + length, `${location.prefixText ?? ''}${PRIVATE_PREFIX}${name.text}${location.suffixText ?? ''}`);
      }
    }
  }
  const result = new Map();
  for (const [file, byStart] of edits) {
    const sorted = [...byStart.values()].sort((a, b) => a.start - b.start);
    sorted.forEach((edit, i) => {
      if (i > 0 && sorted[i - 1].end > edit.start) throw new Error(`private-renames: overlapping renames in ${path.relative(root, file)} at ${edit.start}`);
    });
    result.set(file, sorted);
  }
  return result;
}
