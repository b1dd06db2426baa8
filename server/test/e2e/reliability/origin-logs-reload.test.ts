/**
 * Operations on a real server process (issue #13): per-app allowed web origins (CONNACK 12 on
 * WebSocket and comet), structured (pino) log lines carrying connection/app/user ids and request ids,
 * no secrets in them, `--metrics-token`, and config reload (SIGHUP and POST /ops/reload) without
 * dropping connections, including the log level.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { decodeFrame, type Frame } from '../../../../src/internal';
import { connectRaw, rawWebSocketUrl, type RawClient } from '../../../../test/support/raw-client';
import { serverApi, sign } from '../../../../test/support/server-api-client';
import { captureProcess, spawnServerProcess, startServer, type RunningServer } from '../../../../test/support/server-launcher';
import { tokenFor, uniqueId, upstream, waitFor } from '../e2e-support';

const APP = { key: 'lxorigin', secret: 'lxoriginsecret' };
const OTHER = { key: 'lxreloaded', secret: 'lxreloadedsecret' };
const METRICS_TOKEN = 'metrics-token-one';
const ROTATED_TOKEN = 'metrics-token-two';

let dir: string;
let configFile: string;
let server: RunningServer;
const clients: RawClient[] = [];

function writeConfig(apps: readonly unknown[], extra: Record<string, unknown> = {}): void {
  writeFileSync(configFile, JSON.stringify({ apps, ...extra }, null, 2));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lianxin-ops-'));
  configFile = join(dir, 'config.json');
  writeConfig([{ appKey: APP.key, appSecret: APP.secret, allowedOrigins: ['good.example', '*.corp.example', 'https://app.example.net:8443'] }], { metricsToken: METRICS_TOKEN });
  // No --app: the apps come from the file, so a reload can change them. --metrics-token overrides the file's.
  server = await startServer({ apps: [], args: ['--config', configFile, '--log-level', 'debug', '--metrics-token', METRICS_TOKEN] });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens /websocket with an Origin header and returns the first frame (the CONNACK) and the close code. */
async function connectWithOrigin(appKey: string, token: string, origin: string | undefined): Promise<{ frame: Frame; ws: WebSocket }> {
  const ws = new WebSocket(rawWebSocketUrl({ url: server.url, appKey, token }), { perMessageDeflate: false, ...(origin === undefined ? {} : { origin }) });
  const frame = await new Promise<Frame>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no CONNACK')), 5000);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      resolve(decodeFrame(new Uint8Array(data), 'server'));
    });
    ws.once('error', reject);
  });
  return { frame, ws };
}

function cometConnect(appKey: string, token: string, origin: string): Promise<Record<string, unknown>> {
  const url = new URL(`${server.url}/websocket?appId=${appKey}&token=${encodeURIComponent(token)}&sdkVer=2.9.2&pid=p1&apiVer=normal`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { origin } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Parsed JSON log lines of the server (stderr), ours and fastify's. */
function logLines(): Record<string, unknown>[] {
  return server
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('allowed web origins (per app)', () => {
  it('refuses a page origin outside the list with CONNACK 12 on WebSocket and comet, accepts listed ones and non-browser clients', async () => {
    const api = serverApi(server.url, APP.key, APP.secret);
    const user = uniqueId('orig');
    const token = await tokenFor(api, user);

    for (const origin of ['https://evil.example', 'http://good.example.evil.test', 'null', 'https://corp.example', 'https://app.example.net']) {
      const { frame, ws } = await connectWithOrigin(APP.key, token, origin);
      expect(frame).toMatchObject({ kind: 'connack', status: 12 });
      ws.terminate();
    }
    for (const origin of ['https://good.example', 'http://good.example:8080', 'https://chat.corp.example', 'https://app.example.net:8443', undefined]) {
      const { frame, ws } = await connectWithOrigin(APP.key, token, origin);
      expect(frame).toMatchObject({ kind: 'connack', status: 0, userId: user });
      ws.close();
    }
    expect(await cometConnect(APP.key, token, 'https://evil.example')).toMatchObject({ status: 12 });
    expect(await cometConnect(APP.key, token, 'https://good.example')).toMatchObject({ status: 0, userId: user });

    const refused = logLines().find((l) => l['msg'] === 'connection refused: origin not allowed' && l['origin'] === 'https://evil.example');
    expect(refused).toMatchObject({ appKey: APP.key, level: 30 });
    expect(typeof refused?.['connId']).toBe('string');
  });
});

describe('structured logs', () => {
  it('every line about a connection carries its connection id, app key and user id; HTTP lines carry the request id', async () => {
    const api = serverApi(server.url, APP.key, APP.secret);
    const user = uniqueId('logu');
    const client = await connectRaw({ url: server.url, appKey: APP.key, token: await tokenFor(api, user) });
    const connId = client.connack.sessionId;
    // An unsupported topic (info line from the session), then a malformed frame (closes the connection).
    await client.query('noSuchTopicForLogs', user, new Uint8Array(0));
    client.sendRaw(new Uint8Array([0xff, 0xff, 0xff]));
    await client.closed;

    await waitFor(() => logLines().some((l) => l['msg'] === 'session closed' && l['connId'] === connId), 5000, 'session closed line');
    const lines = logLines().filter((l) => l['connId'] === connId);
    const messages = lines.map((l) => l['msg']);
    expect(messages).toEqual(expect.arrayContaining(['session opened', 'unsupported topic', 'malformed frame, closing connection', 'session closed']));
    for (const line of lines) {
      expect(line).toMatchObject({ appKey: APP.key, userId: user, pid: server.proc.pid });
      expect([10, 20, 30, 40, 50, 60]).toContain(line['level']);
      expect(typeof line['time']).toBe('number');
      expect(Math.abs(Date.now() - (line['time'] as number))).toBeLessThan(60_000);
      expect(typeof line['hostname']).toBe('string');
      expect(typeof line['msg']).toBe('string');
    }
    // Every stderr line is one JSON object (pino, ours and fastify's); stdout has no log lines.
    // (main.ts's one plain-text operator line, the generated console password, is not a log line.)
    for (const line of server.stderr().split('\n')) if (line.startsWith('{')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(server.stdout()).not.toMatch(/"level":/);

    const response = await fetch(`${server.url}/healthz`);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^req-/);
    await waitFor(() => logLines().some((l) => l['reqId'] === requestId && l['msg'] === 'request completed'), 5000, 'request log line');
  });

  it('never writes tokens, Server API signatures or secrets, even at debug level with request logging on', async () => {
    const api = serverApi(server.url, APP.key, APP.secret);
    const user = uniqueId('sec');
    // A signed Server API call whose signature we know, and one with a wrong signature (rejected).
    const nonce = '424242';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(APP.secret, nonce, timestamp);
    const issued = await api.post<{ token: string }>('user/getToken', { userId: user, name: user, portraitUri: '' }, { nonce, timestamp });
    expect(issued.status).toBe(200);
    const token = issued.body.token;
    const forged = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0';
    expect((await api.post('user/getToken', { userId: user, name: user, portraitUri: '' }, { headers: { Signature: forged } })).status).not.toBe(200);
    // The token in a WebSocket connect URL and in a comet connect URL (an HTTP request fastify logs).
    const client = await connectRaw({ url: server.url, appKey: APP.key, token });
    clients.push(client);
    expect(await cometConnect(APP.key, token, 'https://good.example')).toMatchObject({ status: 0, userId: user });
    await waitFor(() => logLines().some((l) => l['msg'] === 'session opened' && l['userId'] === user && l['transport'] === 'websocket'), 5000, 'session opened line');
    await waitFor(() => logLines().some((l) => typeof (l['req'] as { url?: string } | undefined)?.url === 'string' && (l['req'] as { url: string }).url.includes('token=[redacted]')), 5000, 'comet request line');

    const stderr = server.stderr();
    for (const secret of [token, encodeURIComponent(token), signature, forged, APP.secret]) expect(stderr).not.toContain(secret);
  });
});

describe('--metrics-token and config reload', () => {
  it('SIGHUP adds an app and changes app options while existing connections stay up', async () => {
    const api = serverApi(server.url, APP.key, APP.secret);
    const [a, b] = [uniqueId('rla'), uniqueId('rlb')];
    const ca = await connectRaw({ url: server.url, appKey: APP.key, token: await tokenFor(api, a) });
    const cb = await connectRaw({ url: server.url, appKey: APP.key, token: await tokenFor(api, b) });
    clients.push(ca, cb);

    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    // The other app is not configured yet.
    expect((await serverApi(server.url, OTHER.key, OTHER.secret).post('user/getToken', { userId: 'x', name: 'x', portraitUri: '' })).status).not.toBe(200);

    // The CLI flag wins over the file for the token, so the reload that rotates it keeps the flag: rotate
    // through the file of a second server is covered below; here the file adds an app and changes origins.
    writeConfig([
      { appKey: APP.key, appSecret: APP.secret, allowedOrigins: ['good.example'] },
      { appKey: OTHER.key, appSecret: OTHER.secret, maxSendRate: 50 },
    ], { metricsToken: ROTATED_TOKEN });
    const before = logLines().filter((l) => l['msg'] === 'config reloaded').length;
    server.proc.kill('SIGHUP');
    await waitFor(() => logLines().filter((l) => l['msg'] === 'config reloaded').length > before, 5000, 'config reloaded line');
    const reloaded = logLines().filter((l) => l['msg'] === 'config reloaded').at(-1);
    expect(reloaded).toMatchObject({ added: [OTHER.key], removed: [], changed: [APP.key] });

    // Existing connections were not dropped and still work end to end.
    expect(ca.isClosed).toBe(false);
    await ca.ping();
    expect((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'after reload' }))).status).toBe(0);
    await cb.nextFrame((f) => f.kind === 'publish' && f.topic === 's_ntf');

    // The new app works; the changed origin list applies to new connections.
    const other = serverApi(server.url, OTHER.key, OTHER.secret);
    const otherUser = uniqueId('rlo');
    const oc = await connectRaw({ url: server.url, appKey: OTHER.key, token: await tokenFor(other, otherUser) });
    clients.push(oc);
    expect(oc.connack.status).toBe(0);
    const { frame, ws } = await connectWithOrigin(APP.key, await tokenFor(api, a), 'https://chat.corp.example');
    expect(frame).toMatchObject({ kind: 'connack', status: 12 });
    ws.terminate();
  });

  it('POST /ops/reload needs the token, and an invalid file changes nothing', async () => {
    expect((await fetch(`${server.url}/ops/reload`, { method: 'POST' })).status).toBe(401);
    writeFileSync(configFile, '{ "apps": [ "not valid');
    const bad = await fetch(`${server.url}/ops/reload`, { method: 'POST', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not valid JSON/);
    // Still serving both apps.
    const other = serverApi(server.url, OTHER.key, OTHER.secret);
    expect((await other.post('user/getToken', { userId: uniqueId('x'), name: 'x', portraitUri: '' })).status).toBe(200);

    // Removing the app: new connections of it are refused, the server keeps running.
    writeConfig([{ appKey: APP.key, appSecret: APP.secret }]);
    const ok = await fetch(`${server.url}/ops/reload`, { method: 'POST', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, removed: [OTHER.key], changed: [APP.key] });
    const token = await tokenFor(serverApi(server.url, APP.key, APP.secret), uniqueId('still'));
    const { frame, ws } = await connectWithOrigin(APP.key, token, 'https://chat.corp.example');
    expect(frame).toMatchObject({ kind: 'connack', status: 0 });
    ws.close();
  });

  it('without the CLI flag, a reload rotates the metrics token from the file', async () => {
    const own = mkdtempSync(join(tmpdir(), 'lianxin-ops2-'));
    const file = join(own, 'config.json');
    writeFileSync(file, JSON.stringify({ apps: [`${APP.key}:${APP.secret}`], metricsToken: METRICS_TOKEN }));
    const second = await startServer({ apps: [], args: ['--config', file] });
    try {
      const scrape = (token: string): Promise<number> => fetch(`${second.url}/metrics`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      expect(await scrape(METRICS_TOKEN)).toBe(200);
      writeFileSync(file, JSON.stringify({ apps: [`${APP.key}:${APP.secret}`], metricsToken: ROTATED_TOKEN }));
      second.proc.kill('SIGHUP');
      await waitFor(async () => (await scrape(ROTATED_TOKEN)) === 200, 5000, 'rotated token accepted');
      expect(await scrape(METRICS_TOKEN)).toBe(401);

    } finally {
      await second.stop();
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('the log level follows the config file on reload (no --log-level flag pinning it)', async () => {
    const own = mkdtempSync(join(tmpdir(), 'lianxin-ops3-'));
    const file = join(own, 'config.json');
    writeFileSync(file, JSON.stringify({ apps: [`${APP.key}:${APP.secret}`], logLevel: 'info' }));
    // Spawned directly: the launcher's startServer pins `--log-level warn` on the command line.
    const proc = spawnServerProcess(['--host', '127.0.0.1', '--port', '0', '--data-dir', join(own, 'data'), '--config', file]);
    const output = captureProcess(proc);
    const lines = (): Record<string, unknown>[] => output.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    try {
      await waitFor(() => /listening on http:\/\/\S+:\d+\n/.test(output.stdout()), 30_000, 'listening line');
      const url = /listening on (http:\/\/\S+:\d+)\n/.exec(output.stdout())?.[1] ?? '';
      const api = serverApi(url, APP.key, APP.secret);
      // At info: no `session opened` (debug) line.
      const quiet = await connectRaw({ url, appKey: APP.key, token: await tokenFor(api, uniqueId('lvq')) });
      await quiet.ping();
      await quiet.close();
      expect(lines().some((l) => l['level'] === 20)).toBe(false);

      writeFileSync(file, JSON.stringify({ apps: [`${APP.key}:${APP.secret}`], logLevel: 'debug' }));
      proc.kill('SIGHUP');
      await waitFor(() => lines().some((l) => l['msg'] === 'config reloaded'), 5000, 'config reloaded line');
      expect(lines().find((l) => l['msg'] === 'config reloaded')).toMatchObject({ level: 30, logLevel: 'debug' });
      const loud = await connectRaw({ url, appKey: APP.key, token: await tokenFor(api, uniqueId('lvd')) });
      await waitFor(() => lines().some((l) => l['msg'] === 'session opened' && l['connId'] === loud.connack.sessionId && l['level'] === 20), 5000, 'debug line after reload');
      await loud.close();
      await waitFor(() => lines().some((l) => l['msg'] === 'session closed' && l['connId'] === loud.connack.sessionId), 5000, 'session closed line');

      // And up to warn: debug and info lines stop (the `config reloaded` line itself is info, so not written).
      writeFileSync(file, JSON.stringify({ apps: [`${APP.key}:${APP.secret}`], logLevel: 'warn' }));
      proc.kill('SIGHUP');
      await waitFor(() => lines().filter((l) => l['msg'] === 'SIGHUP: reloading config').length >= 2, 5000, 'second SIGHUP line');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = lines().length;
      const after = await connectRaw({ url, appKey: APP.key, token: await tokenFor(api, uniqueId('lvw')) });
      await after.query('noSuchTopicAtWarn', 'x', new Uint8Array(0)); // an info line at info level
      await after.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(lines().slice(before).filter((l) => (l['level'] as number) < 40)).toEqual([]);
      expect(output.stdout()).not.toMatch(/"level":/);
    } finally {
      proc.kill('SIGTERM');
      await output.exited;
      rmSync(own, { recursive: true, force: true });
    }
  });
});
