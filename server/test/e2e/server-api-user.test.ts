/**
 * `user/getToken`, `user/refresh`, `user/token/expire` (SERVER_API.md §2.1): response field names,
 * parameter validation (1002) and the effect of token expiry on connection authentication.
 */
import { createApp } from '../../src/app';
import type { ServerApp } from '../../src/app';
import { createAppConfig, createAppRegistry } from '../../src/config';
import type { ServerConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import type { ServerContext } from '../../src/context';
import { createTokenService } from '../../src/services/auth-tokens';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store';
import { MemoryBroker } from '../../src/broker/memory-broker';
import { MemoryPresence } from '../../src/broker/memory-presence';
import { encodeForm, serverApi, sign } from '../../../test/support/server-api-client';
import type { ServerApiClient } from '../../../test/support/server-api-client';
import { startServer } from '../../../test/support/server-launcher';
import type { RunningServer } from '../../../test/support/server-launcher';

const KEY = 'userapp';
const SECRET = 'usersecret';

describe('user endpoints (real server process)', () => {
  let server: RunningServer;
  let api: ServerApiClient;

  beforeAll(async () => {
    server = await startServer({ apps: [{ key: KEY, secret: SECRET }] });
    api = serverApi(server.url, KEY, SECRET);
  });
  afterAll(async () => {
    await server.stop();
  });

  async function expectBadParameter(path: string, form: Record<string, string | string[]>, message?: RegExp): Promise<void> {
    const response = await api.post(path, form);
    expect(response.status).toBe(400);
    expect(Object.keys(response.body).sort()).toEqual(['code', 'errorMessage']);
    expect(response.body['code']).toBe(1002);
    if (message !== undefined) expect(response.body['errorMessage']).toMatch(message);
  }

  describe('user/getToken', () => {
    it('returns exactly {code, userId, token} with an opaque token ≤ 256 bytes', async () => {
      const response = await api.post<{ code: number; userId: string; token: string }>('user/getToken', { userId: 'alice', name: 'Alice', portraitUri: 'http://example.com/a.png' });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['code', 'userId', 'token']);
      expect(response.body.code).toBe(200);
      expect(response.body.userId).toBe('alice');
      expect(response.body.token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.byteLength(response.body.token)).toBeLessThanOrEqual(256);
      expect(response.body.token).not.toContain(SECRET);
    });

    it('issues a token the navi accepts for that user, again on every call', async () => {
      for (let i = 0; i < 2; i++) {
        const { body } = await api.post<{ token: string }>('user/getToken', { userId: 'bob', name: `Bob ${i}` });
        const navi = await fetch(`${server.url}/navi.js?appId=${KEY}&token=${encodeURIComponent(body.token)}&callBack=getServerEndpoint&v=2.9.2&r=${i}`);
        expect(navi.status).toBe(200);
        expect(await navi.text()).toContain('"userId":"bob"');
      }
    });

    it('accepts the documented user id alphabet up to 64 bytes, name and portrait optional', async () => {
      for (const userId of ['A-z_0+9=', 'x'.repeat(64), 'u']) {
        const response = await api.post('user/getToken', { userId });
        expect(response.status).toBe(200);
        expect(response.body['userId']).toBe(userId);
      }
    });

    it('accepts a name within either documented limit (≤ 64 characters or ≤ 128 bytes)', async () => {
      expect((await api.post('user/getToken', { userId: 'n1', name: '名'.repeat(64) })).status).toBe(200);
      expect((await api.post('user/getToken', { userId: 'n2', name: 'a'.repeat(128) })).status).toBe(200);
      expect((await api.post('user/getToken', { userId: 'n3', name: '' })).status).toBe(200);
    });

    it('answers 400/1002 for a missing or invalid userId, name or portraitUri', async () => {
      await expectBadParameter('user/getToken', {}, /userId is required/);
      await expectBadParameter('user/getToken', { userId: '' }, /userId is required/);
      await expectBadParameter('user/getToken', { userId: 'x'.repeat(65) }, /userId/);
      for (const userId of ['a b', 'a/b', 'a@b', 'a;b', '用户', 'a.b']) {
        await expectBadParameter('user/getToken', { userId }, /userId is invalid/);
      }
      await expectBadParameter('user/getToken', { userId: 'ok', name: '名'.repeat(65) }, /name/);
      await expectBadParameter('user/getToken', { userId: 'ok', portraitUri: 'h'.repeat(1025) }, /portraitUri/);
    });

    it('uses the first value when a single-valued key is repeated', async () => {
      const response = await api.post('user/getToken', { userId: ['first', 'second'] });
      expect(response.body).toMatchObject({ code: 200, userId: 'first' });
    });
  });

  describe('user/refresh', () => {
    it('returns exactly {code:200}', async () => {
      await api.post('user/getToken', { userId: 'carol', name: 'Carol' });
      const response = await api.post('user/refresh', { userId: 'carol', name: 'Caroline', portraitUri: 'http://example.com/c.png' });
      expect(response.status).toBe(200);
      expect(response.text).toBe('{"code":200}');
    });

    it('validates its parameters', async () => {
      await expectBadParameter('user/refresh', {}, /userId is required/);
      await expectBadParameter('user/refresh', { userId: 'bad id' }, /userId is invalid/);
      await expectBadParameter('user/refresh', { userId: 'carol', portraitUri: 'p'.repeat(1025) }, /portraitUri/);
    });
  });

  describe('user/token/expire', () => {
    it('returns exactly {code:200} for one or several (repeated) user ids', async () => {
      expect((await api.post('user/token/expire', { userId: 'alice', time: String(Date.now()) })).text).toBe('{"code":200}');
      expect((await api.post('user/token/expire', { userId: ['alice', 'bob'], time: '0' })).text).toBe('{"code":200}');
    });

    it('validates userId and time', async () => {
      await expectBadParameter('user/token/expire', { time: '1' }, /userId is required/);
      await expectBadParameter('user/token/expire', { userId: 'alice' }, /time is required/);
      await expectBadParameter('user/token/expire', { userId: 'alice', time: 'yesterday' }, /time is invalid/);
      await expectBadParameter('user/token/expire', { userId: 'alice', time: '-5' }, /time is invalid/);
      await expectBadParameter('user/token/expire', { userId: Array.from({ length: 21 }, (_, i) => `u${i}`), time: '1' }, /at most 20/);
      await expectBadParameter('user/token/expire', { userId: ['ok', 'not ok'], time: '1' }, /userId is invalid/);
    });
  });
});

/**
 * In process, on a loopback port, so the effect on connection authentication can be observed
 * directly. (fastify.inject() cannot be used under jest: light-my-request requires the ESM-only
 * `cookie` package.)
 */
describe('token expiry and connection authentication (in process)', () => {
  let ctx: ServerContext;
  let app: ServerApp;
  let base: string;
  let now = 1_800_000_000_000;

  beforeEach(async () => {
    const store = createSqliteStore({ file: ':memory:' });
    await store.migrate();
    const apps = createAppRegistry([createAppConfig(KEY, SECRET), createAppConfig('ttlapp', 'ttlsecret', { tokenTtlMs: '1000' })]);
    const config: ServerConfig = {
      host: '127.0.0.1', port: 0, publicHosts: [], dataDir: '/nonexistent', dbFile: ':memory:', apps: apps.list(),
      devApp: false, logLevel: 'silent', apiClockSkewSeconds: 0,
    };
    ctx = { config, store, apps, tokens: createTokenService({ apps, users: store.users }), clock: { now: () => now }, log: createLogger('silent') };
    app = await createApp(ctx, { broker: new MemoryBroker(), presence: new MemoryPresence({ now: () => now }) });
    base = await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await app.close();
    await ctx.store.close();
  });

  async function call(path: string, form: Record<string, string | string[]>, appKey = KEY, secret = SECRET): Promise<Record<string, unknown>> {
    const response = await fetch(`${base}/${path}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'app-key': appKey, nonce: '1', timestamp: '2', signature: sign(secret, '1', '2') },
      body: encodeForm(form),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  it('invalidates tokens issued up to `time`, while a getToken in the same millisecond still works', async () => {
    const old = (await call('user/getToken', { userId: 'dave' }))['token'] as string;
    now += 10;
    expect(await ctx.tokens.authenticateConnection(KEY, old, now)).toMatchObject({ ok: true, userId: 'dave' });
    expect(await call('user/token/expire', { userId: 'dave', time: String(now) })).toEqual({ code: 200 });
    expect(await ctx.tokens.authenticateConnection(KEY, old, now)).toEqual({ ok: false, connackStatus: 10 });
    const fresh = (await call('user/getToken', { userId: 'dave' }))['token'] as string;
    expect(await ctx.tokens.authenticateConnection(KEY, `${fresh}@`, now + 1)).toMatchObject({ ok: true, userId: 'dave' });
  });

  it('only touches the named users', async () => {
    const erin = (await call('user/getToken', { userId: 'erin' }))['token'] as string;
    now += 5;
    await call('user/token/expire', { userId: 'frank', time: String(now) });
    expect(await ctx.tokens.authenticateConnection(KEY, erin, now)).toMatchObject({ ok: true });
  });

  it('gives tokens of an app with tokenTtlMs an expiry', async () => {
    const token = (await call('user/getToken', { userId: 'gina' }, 'ttlapp', 'ttlsecret'))['token'] as string;
    expect(ctx.tokens.verify(token)).toMatchObject({ ok: true, issuedAt: now, expiresAt: now + 1000 });
    expect(await ctx.tokens.authenticateConnection('ttlapp', token, now + 999)).toMatchObject({ ok: true });
    expect(await ctx.tokens.authenticateConnection('ttlapp', token, now + 1000)).toEqual({ ok: false, connackStatus: 10 });
  });

  it('stores name and portrait, and refresh updates them', async () => {
    await call('user/getToken', { userId: 'hank', name: 'Hank', portraitUri: 'http://p/h.png' });
    expect(await ctx.store.users.get(KEY, 'hank')).toMatchObject({ name: 'Hank', portraitUri: 'http://p/h.png' });
    await call('user/refresh', { userId: 'hank', name: 'Henry' });
    expect(await ctx.store.users.get(KEY, 'hank')).toMatchObject({ name: 'Henry', portraitUri: 'http://p/h.png' });
  });
});
