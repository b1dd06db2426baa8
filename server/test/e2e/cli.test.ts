/**
 * The server as an operator runs it: flags, errors, the `listening on` line, signals, the dev app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureProcess, DEFAULT_TEST_APP, spawnServerProcess, startServer } from '../../../test/support/server-launcher';
import { serverApi } from '../../../test/support/server-api-client';

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
