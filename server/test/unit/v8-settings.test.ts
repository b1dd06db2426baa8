/**
 * The server's V8 settings (server/src/v8-settings.ts): applied in-process, they turn V8's allocation-site
 * pretenuring off — observed through V8's own trace, which reports pretenuring decisions only while the feature
 * is on — and an explicit node flag of the operator's wins.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { applyServerV8Flags } from '../../src/v8-settings';

const SETTINGS = resolve(__dirname, '../../src/v8-settings.ts');
const TRACE = ['--trace-pretenuring', '--trace-pretenuring-statistics'];

/**
 * A child that applies the settings, prints what it applied, then allocates from one site objects that all
 * survive young collections — what makes V8 decide to pretenure a site when the feature is on.
 */
function runChild(nodeFlags: readonly string[]): { applied: string[]; tenureDecisions: number } {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-v8-'));
  try {
    const script = join(dir, 'child.ts');
    writeFileSync(
      script,
      `import { applyServerV8Flags } from ${JSON.stringify(SETTINGS)};
process.stdout.write('APPLIED ' + JSON.stringify(applyServerV8Flags()) + '\\n');
const keep: unknown[] = [];
const make = (i: number) => ({ i, pair: [i, i + 1] });
for (let round = 0; round < 30; round++) {
  for (let i = 0; i < 100_000; i++) keep.push(make(i));
  if (keep.length > 1_000_000) keep.length = 0;
}
process.stdout.write('DONE ' + keep.length + '\\n');
`,
    );
    const result = spawnSync(process.execPath, [...nodeFlags, ...TRACE, '--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    const appliedAt = lines.findIndex((line) => line.startsWith('APPLIED '));
    expect(appliedAt).toBeGreaterThanOrEqual(0);
    expect(lines.some((line) => line.startsWith('DONE '))).toBe(true);
    const after = lines.slice(appliedAt + 1);
    return {
      applied: JSON.parse((lines[appliedAt] as string).slice('APPLIED '.length)) as string[],
      tenureDecisions: after.filter((line) => /pretenuring: AllocationSite.*=> (maybe )?tenure/.test(line)).length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('server V8 settings', () => {
  it('turn allocation-site pretenuring off in the running process', () => {
    const child = runChild([]);
    expect(child.applied).toEqual(['--no-allocation-site-pretenuring']);
    expect(child.tenureDecisions).toBe(0);
  });

  it('leave the flag to the node command line when it names it (the control: V8 pretenures that workload)', () => {
    const on = runChild(['--allocation-site-pretenuring']);
    expect(on.applied).toEqual([]);
    expect(on.tenureDecisions).toBeGreaterThan(0);
    const off = runChild(['--no-allocation-site-pretenuring']);
    expect(off.applied).toEqual([]);
    expect(off.tenureDecisions).toBe(0);
  });

  it('read a flag named with underscores, or with a value, as named', () => {
    expect(applyServerV8Flags(['--no_allocation_site_pretenuring'])).toEqual([]);
    expect(applyServerV8Flags(['--allocation_site_pretenuring=true'])).toEqual([]);
    expect(applyServerV8Flags(['--max-old-space-size=512', '--allocation-site-pretenuring'])).toEqual([]);
  });
});
