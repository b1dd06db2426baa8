/**
 * The committed proto/gen must be exactly what scripts/gen-proto.mjs produces from proto/*.proto
 * (CI drift check): regenerate into a temp dir with the same script and compare byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../../..');
const committed = join(repoRoot, 'proto', 'gen');

describe('proto/gen', () => {
  let fresh = '';

  beforeAll(() => {
    fresh = mkdtempSync(join(tmpdir(), 'lianxin-proto-gen-test-'));
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'gen-proto.mjs'), fresh], { cwd: repoRoot, stdio: 'pipe' });
  }, 120_000);

  afterAll(() => {
    if (fresh !== '') rmSync(fresh, { recursive: true, force: true });
  });

  it('contains exactly the generated files', () => {
    expect(readdirSync(committed).sort()).toEqual(readdirSync(fresh).sort());
    expect(readdirSync(fresh).sort()).toEqual(['rc-schema-sdk.ts', 'rc-schema.ts', 'rc.d.ts', 'rc.js']);
  });

  it.each(['rc.js', 'rc.d.ts', 'rc-schema.ts', 'rc-schema-sdk.ts'])('%s is up to date (run `npm run proto:gen`)', (file) => {
    const want = readFileSync(join(fresh, file), 'utf8');
    const have = readFileSync(join(committed, file), 'utf8');
    // Compare lengths first so a drift shows a short message rather than a 400 kB diff.
    expect(have.length).toBe(want.length);
    expect(have === want).toBe(true);
  });

  it('generated code is reflection-free and Long-free', () => {
    const js = readFileSync(join(committed, 'rc.js'), 'utf8');
    expect(js).toContain('import $protobuf from "protobufjs/minimal.js";');
    expect(js).not.toMatch(/\beval\s*\(|\bnew Function\b|\bFunction\s*\(/);
    expect(js).not.toContain('$util.Long');
    expect(readFileSync(join(committed, 'rc.d.ts'), 'utf8')).not.toMatch(/\bLong\b/);
  });
});
