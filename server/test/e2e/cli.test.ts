/**
 * The server as an operator runs it: flags, errors, the `listening on` line, signals (SIGTERM's drain),
 * the dev app, and the data directory (locked against a second server, refused when unusable).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeByName, encodeByName } from '../../../src/internal';
import { warnSkipped } from '../../../test/support/engines/redis-server';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { captureProcess, DEFAULT_TEST_APP, spawnServerProcess, startServer } from '../../../test/support/server-launcher';
import { serverApi } from '../../../test/support/server-api-client';
import { connectUser, tokenFor, uniqueId, upstream } from './e2e-support';

const DEV_LINE = /^dev app: appKey=([a-z0-9]+) appSecret=([A-Za-z0-9]+)$/m;

async function run(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnServerProcess(args, env);
  const output = captureProcess(child);
  const { code } = await output.exited;
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

describe('server CLI', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'lianxin-cli-'));
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('--help prints usage on stdout and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: lianxin-server \[options\]/);
    for (const flag of ['--host', '--port', '--public-host', '--data-dir', '--app', '--dev-app', '--config', '--log-level']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).not.toMatch(/^listening on/m);
  });

  it('an invalid flag gives a clear error on stderr and exit code 2', async () => {
    const result = await run(['--app', 'k:s', '--data-dir', scratch, '--prot', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('lianxin-server: error: unknown option --prot');
    expect(result.stderr).toContain('--help');
    expect(result.stdout).toBe('');
  });

  it('an invalid value or no app at all is refused before anything starts', async () => {
    const badPort = await run(['--app', 'k:s', '--data-dir', scratch, '--port', '70000']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('port: 70000 is out of range 0..65535');
    const noApp = await run(['--data-dir', scratch, '--port', '0']);
    expect(noApp.code).toBe(2);
    expect(noApp.stderr).toContain('no app configured');
  });

  it('--port 0 prints exactly one "listening on" line with the real port, and SIGTERM exits 0', async () => {
    const server = await startServer();
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect(server.stdout()).toBe(`listening on http://127.0.0.1:${server.port}\n`);
      const ping = await fetch(`${server.url}/ping`);
      expect(ping.status).toBe(200);
    } finally {
      const exit = await server.stop();
      expect(exit).toEqual({ code: 0, signal: null });
    }
  });

  it('SIGINT also exits 0 and releases the port', async () => {
    const server = await startServer();
    server.proc.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${server.url}/ping`)).rejects.toThrow();
    await server.stop();
  });

  it('reads apps from LIANXIN_APPS', async () => {
    const server = await startServer({ apps: [], env: { LIANXIN_APPS: 'envapp:envsecret' } });
    try {
      const response = await serverApi(server.url, 'envapp', 'envsecret').post('user/getToken', { userId: 'u1' });
      expect(response.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('fails with a non-zero exit when the port is taken', async () => {
    const first = await startServer();
    try {
      const second = await run(['--app', 'k:s', '--data-dir', join(scratch, 'second'), '--host', '127.0.0.1', '--port', String(first.port)]);
      expect(second.code).not.toBe(0);
      expect(second.stderr).toMatch(/EADDRINUSE/);
      expect(second.stdout).not.toMatch(/^listening on/m);
    } finally {
      await first.stop();
    }
  });

  it('--dev-app prints a generated key and secret that stay the same across restarts', async () => {
    const dataDir = join(scratch, 'dev');
    const first = await startServer({ apps: [], devApp: true, dataDir });
    const match = DEV_LINE.exec(first.stdout());
    expect(match).not.toBeNull();
    const [, appKey = '', appSecret = ''] = match ?? [];
    expect(first.stdout()).toBe(`dev app: appKey=${appKey} appSecret=${appSecret}\nlistening on ${first.url}\n`);
    const issued = await serverApi(first.url, appKey, appSecret).post<{ token: string }>('user/getToken', { userId: 'dev-user' });
    expect(issued.status).toBe(200);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const second = await startServer({ apps: [], devApp: true, dataDir });
    try {
      expect(DEV_LINE.exec(second.stdout())?.slice(1)).toEqual([appKey, appSecret]);
      // Same secret → the token issued before the restart is still accepted.
      const navi = await fetch(`${second.url}/navi.js?appId=${appKey}&token=${encodeURIComponent(issued.body.token)}&callBack=getServerEndpoint&v=2.9.2&r=1`);
      expect(navi.status).toBe(200);
      expect(await navi.text()).toContain('"userId":"dev-user"');
    } finally {
      await second.stop();
    }
  });

  it('the dev app coexists with --app apps', async () => {
    const server = await startServer({ devApp: true });
    try {
      const [, appKey = '', appSecret = ''] = DEV_LINE.exec(server.stdout()) ?? [];
      expect((await serverApi(server.url, appKey, appSecret).post('user/getToken', { userId: 'a' })).status).toBe(200);
      expect((await serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret).post('user/getToken', { userId: 'a' })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM: /readyz turns 503, connected clients get DISCONNECT, messages sent just before are kept, exit 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-cli-term-'));
    const clients: RawClient[] = [];
    const app = { ...DEFAULT_TEST_APP, options: { maxSendRate: 1000 } };
    try {
      const server = await startServer({ apps: [app], dataDir, args: ['--drain-delay-ms', '1500'] });
      const api = serverApi(server.url, app.key, app.secret);
      const b = uniqueId('b');
      const ca = await connectUser(server.url, app.key, api, uniqueId('a'), clients);
      const pending = Array.from({ length: 20 }, (_, i) => ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: `term ${i}` }), { timeoutMs: 10_000 }).catch(() => undefined));
      server.proc.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      const acked = (await Promise.all(pending)).filter((ack) => ack?.status === 0).map((ack) => ack?.messageUId);
      expect((await server.exited).code).toBe(0);
      expect(ca.received.some((r) => r.frame.kind === 'disconnect')).toBe(true);
      // Every acked message is there after the restart.
      const again = await startServer({ apps: [app], dataDir });
      try {
        const cb = await connectRaw({ url: again.url, appKey: app.key, token: await tokenFor(serverApi(again.url, app.key, app.secret), b) });
        clients.push(cb);
        const ack = await cb.query('pullMsg', b, encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
        const uids = decodeByName('DownStreamMessages', ack.payload).list.map((m) => m.msgId);
        for (const uid of acked) expect(uids).toContain(uid);
      } finally {
        await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
        await again.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the data directory', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'lianxin-cli-datadir-'));
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  const startArgs = (dataDir: string, ...more: string[]): string[] => ['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--app', 'k:s', ...more];

  /** Runs a start that should be refused; one that is still running after 20 s is killed and fails the test. */
  async function runRefused(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawnServerProcess(args);
    const output = captureProcess(child);
    const exit = await Promise.race([output.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20_000))]);
    if (exit === undefined) {
      child.kill('SIGKILL');
      await output.exited;
      throw new Error(`the start was not refused: ${args.join(' ')}\nstdout:\n${output.stdout()}`);
    }
    return { code: exit.code, stdout: output.stdout(), stderr: output.stderr() };
  }

  /** A refused start: exit 2, nothing on stdout, one error line naming `path` (no stack trace). */
  function expectRefused(result: { code: number | null; stdout: string; stderr: string }, path: string, cause: RegExp): void {
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^lianxin-server: error: /);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toMatch(cause);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }

  it('a second server on a data directory in use is refused, naming the directory and the holder; after a kill -9 of the holder the next start succeeds', async () => {
    const dataDir = join(scratch, 'shared');
    const first = await startServer({ dataDir });
    try {
      const second = await runRefused(startArgs(dataDir));
      expectRefused(second, dataDir, new RegExp(`in use by another Lianxin server \\(pid ${first.proc.pid ?? 0} on host `));
      // A node of a cluster (a broker) may share a directory with other nodes, but not with a server alone on it.
      const node = await runRefused(startArgs(dataDir, '--broker', 'redis://127.0.0.1:1'));
      expectRefused(node, dataDir, /in use by another Lianxin server/);
      // The refused starts changed nothing for the first.
      expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
      first.kill9();
      await first.exited;
    } finally {
      await first.stop();
    }
    // The dead holder's lock went with it (its holder file stays until the next start overwrites it).
    const next = await startServer({ dataDir });
    try {
      expect(JSON.parse(readFileSync(join(dataDir, 'lianxin.lock.holder'), 'utf8'))).toMatchObject({ pid: next.proc.pid, use: 'alone' });
    } finally {
      expect((await next.stop()).code).toBe(0);
    }
    // A clean exit removes the holder file; the lock file itself stays.
    expect(existsSync(join(dataDir, 'lianxin.lock.holder'))).toBe(false);
    expect(existsSync(join(dataDir, 'lianxin.lock'))).toBe(true);
  });

  it('a data directory that cannot be created, is not a directory or is not writable is refused, naming it and the cause', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x');
    expectRefused(await runRefused(startArgs(file)), file, /is not a directory/);
    expectRefused(await runRefused(startArgs(join(file, 'data'))), join(file, 'data'), /cannot be created: .* is not a directory/);
    // --dev-app writes its file into the directory while the configuration loads: the same kind of error.
    expectRefused(await runRefused(['--host', '127.0.0.1', '--port', '0', '--data-dir', join(file, 'data'), '--dev-app']), join(file, 'data'), /is not a directory/);

    // Not writable: a read-only mount (root, where mounting is allowed) or a directory without write permission (not root).
    let readOnly: string | undefined;
    let unmount = false;
    if (process.getuid?.() === 0) {
      const mount = join(scratch, 'ro');
      mkdirSync(mount);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', mount], { stdio: 'ignore' });
        readOnly = mount;
        unmount = true;
      } catch (error) {
        warnSkipped('the read-only data directory case', `cannot mount a tmpfs here: ${String(error).split('\n')[0]}`);
      }
    } else {
      readOnly = join(scratch, 'no-write');
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o555);
    }
    if (readOnly === undefined) return;
    try {
      expectRefused(await runRefused(startArgs(readOnly)), readOnly, /is not writable: (read-only file system|permission denied)/);
      expectRefused(await runRefused(startArgs(join(readOnly, 'data'))), join(readOnly, 'data'), /cannot be created: .* is not writable/);
    } finally {
      if (unmount) execFileSync('umount', [readOnly], { stdio: 'ignore' });
      else chmodSync(readOnly, 0o755);
    }
  });
});
