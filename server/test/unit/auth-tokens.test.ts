import { createAppConfig, createAppRegistry } from '../../src/config';
import { ConnackStatus, createTokenService, stripNaviSuffix } from '../../src/services/auth-tokens';
import type { TokenService } from '../../src/services/auth-tokens';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { Store } from '../../src/store/store';

const NOW = 1_795_000_000_000;
const appA = createAppConfig('appA', 'secretA');
const appB = createAppConfig('appB', 'secretB');

describe('TokenService', () => {
  let store: Store;
  let tokens: TokenService;

  beforeEach(async () => {
    store = createSqliteStore({ file: ':memory:' });
    await store.migrate();
    tokens = createTokenService({ apps: createAppRegistry([appA, appB]), users: store.users });
  });

  afterEach(async () => {
    await store.close();
  });

  describe('issue / verify', () => {
    it('round-trips app, user, issue time and version', () => {
      const token = tokens.issue('appA', 'u1', NOW);
      expect(tokens.verify(token)).toEqual({ ok: true, version: 1, appKey: 'appA', userId: 'u1', issuedAt: NOW });
    });

    it('carries an optional expiry', () => {
      const token = tokens.issue('appA', 'u1', NOW, NOW + 5000);
      expect(tokens.verify(token)).toEqual({ ok: true, version: 1, appKey: 'appA', userId: 'u1', issuedAt: NOW, expiresAt: NOW + 5000 });
    });

    it('is opaque base64url without @ or ; and at most 256 bytes even at the size limits', () => {
      const longKey = 'k'.repeat(64);
      const service = createTokenService({ apps: createAppRegistry([createAppConfig(longKey, 's')]), users: store.users });
      const token = service.issue(longKey, 'u'.repeat(64), NOW, NOW + 1);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.byteLength(token)).toBeLessThanOrEqual(256);
      expect(service.verify(token)).toMatchObject({ ok: true, appKey: longKey, userId: 'u'.repeat(64) });
    });

    it('never contains the app secret', () => {
      const token = tokens.issue('appA', 'u1', NOW);
      expect(Buffer.from(token, 'base64url').includes(Buffer.from('secretA'))).toBe(false);
      expect(token.includes('secretA')).toBe(false);
    });

    it('accepts opaque, opaque@ and opaque@hosts alike', () => {
      const token = tokens.issue('appA', 'u1', NOW);
      expect(stripNaviSuffix(`${token}@nav.example.com;nav2.example.com`)).toBe(token);
      for (const raw of [token, `${token}@`, `${token}@nav.example.com`, `${token}@http://127.0.0.1:9200;https://x.y`]) {
        expect(tokens.verify(raw)).toMatchObject({ ok: true, userId: 'u1' });
      }
    });

    it('keeps non-ASCII user ids intact', () => {
      const token = tokens.issue('appA', '用户一', NOW);
      expect(tokens.verify(token)).toMatchObject({ ok: true, userId: '用户一' });
    });

    it('refuses to issue for unknown apps, over-long or empty ids and bad times', () => {
      expect(() => tokens.issue('nope', 'u1', NOW)).toThrow(RangeError);
      expect(() => tokens.issue('appA', 'u'.repeat(65), NOW)).toThrow(RangeError);
      expect(() => tokens.issue('appA', '', NOW)).toThrow(RangeError);
      expect(() => tokens.issue('appA', 'u1', -1)).toThrow(RangeError);
      expect(() => tokens.issue('appA', 'u1', 1.5)).toThrow(RangeError);
    });

    it('rejects garbage as malformed', () => {
      for (const raw of ['', '@', '@host', 'not a token', 'abc', '!!!!', 'a'.repeat(500), 'AQ']) {
        expect(tokens.verify(raw)).toEqual({ ok: false, reason: 'malformed' });
      }
    });

    it('rejects a non-canonical spelling of a valid token', () => {
      // 49 bytes: the last base64 character carries 2 data bits and 4 unused (zero) bits.
      const token = tokens.issue('appA', 'u12', NOW);
      const bytes = Buffer.from(token, 'base64url');
      expect(bytes.length % 3).toBe(1);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(token[token.length - 1] as string);
      const variant = token.slice(0, -1) + (alphabet[last + 1] as string);
      expect(Buffer.from(variant, 'base64url').equals(bytes)).toBe(true);
      expect(tokens.verify(variant)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('rejects any modified byte', () => {
      const token = tokens.issue('appA', 'u1', NOW);
      const bytes = Buffer.from(token, 'base64url');
      for (let i = 0; i < bytes.length; i++) {
        const copy = Buffer.from(bytes);
        copy[i] = (copy[i] as number) ^ 0x01;
        const result = tokens.verify(copy.toString('base64url'));
        expect(result.ok).toBe(false);
      }
      const macFlip = Buffer.from(bytes);
      macFlip[bytes.length - 1] = (macFlip[bytes.length - 1] as number) ^ 0xff;
      expect(tokens.verify(macFlip.toString('base64url'))).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it('rejects tokens signed with another secret (secret rotation)', () => {
      const rotated = createTokenService({ apps: createAppRegistry([createAppConfig('appA', 'secretA2')]), users: store.users });
      const token = rotated.issue('appA', 'u1', NOW);
      expect(tokens.verify(token)).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it('reports tokens of apps it does not know', () => {
      const other = createTokenService({ apps: createAppRegistry([createAppConfig('appZ', 'secretZ')]), users: store.users });
      expect(tokens.verify(other.issue('appZ', 'u1', NOW))).toEqual({ ok: false, reason: 'unknown-app' });
    });

    it('reports an unsupported version', () => {
      const bytes = Buffer.from(tokens.issue('appA', 'u1', NOW), 'base64url');
      bytes[0] = 2;
      expect(tokens.verify(bytes.toString('base64url'))).toEqual({ ok: false, reason: 'unsupported-version' });
    });
  });

  describe('authenticateConnection', () => {
    it('accepts a valid token and returns the user and issue time', async () => {
      await store.users.upsert('appA', 'u1', { name: 'U' }, NOW - 10);
      const token = tokens.issue('appA', 'u1', NOW);
      await expect(tokens.authenticateConnection('appA', `${token}@`, NOW + 1)).resolves.toEqual({ ok: true, userId: 'u1', issuedAt: NOW });
    });

    it('accepts a valid token whose user row does not exist', async () => {
      const token = tokens.issue('appA', 'ghost', NOW);
      await expect(tokens.authenticateConnection('appA', token, NOW)).resolves.toEqual({ ok: true, userId: 'ghost', issuedAt: NOW });
    });

    it('unknown app → IDENTIFIER_REJECTED (2)', async () => {
      const token = tokens.issue('appA', 'u1', NOW);
      await expect(tokens.authenticateConnection('nope', token, NOW)).resolves.toEqual({ ok: false, connackStatus: 2 });
      expect(ConnackStatus.IdentifierRejected).toBe(2);
    });

    it('garbage, bad signature or another app’s token → TOKEN_INCORRECT (4)', async () => {
      const token = tokens.issue('appA', 'u1', NOW);
      const tampered = Buffer.from(token, 'base64url');
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0xff;
      for (const [appKey, raw] of [
        ['appA', 'garbage'],
        ['appA', ''],
        ['appA', tampered.toString('base64url')],
        ['appB', token],
      ] as const) {
        await expect(tokens.authenticateConnection(appKey, raw, NOW)).resolves.toEqual({ ok: false, connackStatus: 4 });
      }
    });

    it('expiry reached → TOKEN_EXPIRE (10); before expiry → ok', async () => {
      const token = tokens.issue('appA', 'u1', NOW, NOW + 1000);
      await expect(tokens.authenticateConnection('appA', token, NOW + 999)).resolves.toMatchObject({ ok: true });
      await expect(tokens.authenticateConnection('appA', token, NOW + 1000)).resolves.toEqual({ ok: false, connackStatus: 10 });
    });

    it('issued at or before tokensValidAfter → TOKEN_EXPIRE (10)', async () => {
      await store.users.upsert('appA', 'u1', {}, NOW - 100);
      const before = tokens.issue('appA', 'u1', NOW - 1);
      const at = tokens.issue('appA', 'u1', NOW);
      const after = tokens.issue('appA', 'u1', NOW + 1);
      await store.users.expireTokens('appA', ['u1'], NOW);
      await expect(tokens.authenticateConnection('appA', before, NOW + 10)).resolves.toEqual({ ok: false, connackStatus: 10 });
      await expect(tokens.authenticateConnection('appA', at, NOW + 10)).resolves.toEqual({ ok: false, connackStatus: 10 });
      await expect(tokens.authenticateConnection('appA', after, NOW + 10)).resolves.toEqual({ ok: true, userId: 'u1', issuedAt: NOW + 1 });
    });

    it('banned user → BLOCK (9) until blockedUntil', async () => {
      await store.users.upsert('appA', 'u1', {}, NOW - 100);
      await store.users.setBlockedUntil('appA', 'u1', NOW + 60_000, NOW);
      const token = tokens.issue('appA', 'u1', NOW);
      await expect(tokens.authenticateConnection('appA', token, NOW + 59_999)).resolves.toEqual({ ok: false, connackStatus: 9 });
      await expect(tokens.authenticateConnection('appA', token, NOW + 60_000)).resolves.toMatchObject({ ok: true });
    });
  });
});
