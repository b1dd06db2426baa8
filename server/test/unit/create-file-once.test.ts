/**
 * First starts racing on one empty data directory (cluster nodes sharing it, or a second server the lock then
 * refuses) agree on the files they generate: the dev app, the file-signing secret and the console password.
 * Real processes, started together and released at the same instant.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFileOnce } from '../../src/create-file-once';

const ROOT = resolve(__dirname, '../../..');
const PROCESSES = 6;

interface FirstStart {
  readonly appKey: string;
  readonly appSecret: string;
  readonly secret: string;
  readonly generatedPassword: string | null;
  readonly passwordWorks: boolean;
}

const SCRIPT = `
const [dir, at] = process.argv.slice(1);
const { loadOrCreateDevApp } = await import(${JSON.stringify(join(ROOT, 'server/src/config-dev-app.ts'))});
const { loadOrCreateFileSecret } = await import(${JSON.stringify(join(ROOT, 'server/src/files/signing.ts'))});
const { ConsoleAuth } = await import(${JSON.stringify(join(ROOT, 'server/src/http/console/console-auth.ts'))});
while (Date.now() < Number(at)) {}
const app = loadOrCreateDevApp(dir);
const secret = loadOrCreateFileSecret(dir).toString('hex');
const auth = new ConsoleAuth(dir, Date.now);
const generatedPassword = auth.generatedPassword ?? null;
process.stdout.write(JSON.stringify({ appKey: app.appKey, appSecret: app.appSecret, secret, generatedPassword,
  passwordWorks: generatedPassword !== null && auth.verify(generatedPassword) }));
`;

function firstStart(dir: string, at: number): Promise<FirstStart> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, dir, String(at)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (status) => (status === 0 ? done(JSON.parse(out) as FirstStart) : fail(new Error(`exit ${status}: ${err}`))));
  });
}

describe('files a first start generates', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lianxin-first-start-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(`are the same for ${PROCESSES} processes starting at one instant on an empty directory`, async () => {
    const data = join(dir, 'data');
    // Time for every process to load its modules before the common instant.
    const results = await Promise.all(Array.from({ length: PROCESSES }, () => firstStart(data, Date.now() + 4_000)));
    const first = results[0] as FirstStart;
    for (const result of results) {
      expect([result.appKey, result.appSecret, result.secret]).toEqual([first.appKey, first.appSecret, first.secret]);
    }
    const onDisk = JSON.parse(readFileSync(join(data, 'dev-app.json'), 'utf8')) as { appKey: string };
    expect(onDisk.appKey).toBe(first.appKey);
    expect(Buffer.from(readFileSync(join(data, 'file-secret'), 'utf8').trim(), 'base64url').toString('hex')).toBe(first.secret);
    // One process generated the console password, and it is the one on disk.
    const generators = results.filter((result) => result.generatedPassword !== null);
    expect(generators).toHaveLength(1);
    expect(generators[0]?.passwordWorks).toBe(true);
    // No temporary file is left behind.
    expect(readdirSync(data).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('never replaces an existing file, and creates a missing one with the mode asked for', () => {
    const file = join(dir, 'nested', 'x.txt');
    expect(createFileOnce(file, 'one\n', 0o600)).toEqual({ content: 'one\n', created: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(createFileOnce(file, 'two\n')).toEqual({ content: 'one\n', created: false });
    expect(readFileSync(file, 'utf8')).toBe('one\n');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['x.txt']);
  });
});
