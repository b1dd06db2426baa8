/**
 * scripts/private-renames.mjs (the build's private-member renaming, rollup.config.mjs sourceEdits) on a
 * small project: only the member's own uses change, never an object key, a string or a public member of
 * the same spelling; a name bound to a declaration outside src/ and platforms/ is refused.
 */
import { PRIVATE_PREFIX, privateRenames } from '../../scripts/private-renames.mjs';
import { editsProject, withEdits } from '../support/build-edits-project';

const COMPILER_OPTIONS = { target: 'ES2020', module: 'ESNext', moduleResolution: 'Bundler', strict: true };

function project(files: Record<string, string>): string {
  return editsProject('lianxin-private-renames-', COMPILER_OPTIONS, files);
}

function applied(root: string, file: string, source: string): string {
  return withEdits(privateRenames(root), root, file, source);
}

test('renames a private member at its declaration and its uses, and nothing else of the same spelling', () => {
  const a = [
    'export class Engine {',
    '  private logger = 1;',
    '  constructor(private readonly timer: number) {}',
    '  protected retry(): number { return this.logger + this.timer + this["logger"]; }',
    '  same(other: Engine): number { const { logger } = this; return other.logger + logger; }',
    '  options(): Record<string, number> { return { logger: 2, timer: this.timer }; }',
    '}',
    'export class Sub extends Engine { again(): number { return this.retry(); } }',
    'export const publicApi = { logger: "logger", retry: (x: { retry: number }) => x.retry };',
    '',
  ].join('\n');
  const root = project({ 'src/a.ts': a });
  const p = PRIVATE_PREFIX;
  expect(applied(root, 'src/a.ts', a)).toBe(
    [
      'export class Engine {',
      `  private ${p}logger = 1;`,
      `  constructor(private readonly ${p}timer: number) {}`,
      `  protected ${p}retry(): number { return this.${p}logger + this.${p}timer + this["${p}logger"]; }`,
      `  same(other: Engine): number { const { ${p}logger: logger } = this; return other.${p}logger + logger; }`,
      `  options(): Record<string, number> { return { logger: 2, timer: this.${p}timer }; }`,
      '}',
      `export class Sub extends Engine { again(): number { return this.${p}retry(); } }`,
      'export const publicApi = { logger: "logger", retry: (x: { retry: number }) => x.retry };',
      '',
    ].join('\n'),
  );
});

test('uses in another file of src/ or platforms/ are renamed with the declaration', () => {
  const a = 'export class Box { protected size = 1; }\n';
  const b = "import { Box } from '../src/a';\nexport class Big extends Box { twice(): number { return this.size * 2; } }\n";
  const root = project({ 'src/a.ts': a, 'platforms/b.ts': b });
  expect(applied(root, 'platforms/b.ts', b)).toContain(`this.${PRIVATE_PREFIX}size * 2`);
  expect(applied(root, 'src/a.ts', a)).toContain(`protected ${PRIVATE_PREFIX}size = 1`);
});

test('a member bound to a declaration outside src/ and platforms/ is refused', () => {
  const root = project({
    'lib/base.ts': 'export class Base { protected size = 1; }\n',
    'src/a.ts': "import { Base } from '../lib/base';\nexport class Box extends Base { protected override size = 2; }\n",
  });
  expect(() => privateRenames(root)).toThrow(/size.*also named by/);
});
