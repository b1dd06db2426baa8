import type { ContractContext } from './contract-support';
import { APP, OTHER_APP, T0 } from './contract-support';

export function describeUsers(context: ContractContext): void {
  describe('users', () => {
    it('creates on first upsert and then changes only the fields given', async () => {
      const { users } = context.store;
      expect(await users.get(APP, 'u1')).toBeUndefined();
      const created = await users.upsert(APP, 'u1', { name: 'Ann' }, T0);
      expect(created).toEqual({ appKey: APP, userId: 'u1', name: 'Ann', portraitUri: '', tokensValidAfter: 0, blockedUntil: 0, createdTime: T0 });
      expect(await users.get(APP, 'u1')).toEqual(created);

      await users.expireTokens(APP, ['u1'], T0 + 5);
      await users.setBlockedUntil(APP, 'u1', T0 + 60_000, T0);
      const portrait = await users.upsert(APP, 'u1', { portraitUri: 'https://p/1.png' }, T0 + 100);
      expect(portrait).toEqual({ ...created, portraitUri: 'https://p/1.png', tokensValidAfter: T0 + 5, blockedUntil: T0 + 60_000 });
      const renamed = await users.upsert(APP, 'u1', { name: 'Bea' }, T0 + 200);
      expect(renamed).toEqual({ ...portrait, name: 'Bea' });
      expect(await users.upsert(APP, 'u1', {}, T0 + 300)).toEqual(renamed);
      expect(await users.upsert(APP, 'u2', { name: '', portraitUri: 'x' }, T0 + 1)).toMatchObject({ name: '', portraitUri: 'x', createdTime: T0 + 1 });
    });

    it('expires tokens up to an instant, never moving the bound backwards, ignoring unknown users', async () => {
      const { users } = context.store;
      await users.upsert(APP, 'u1', {}, T0);
      await users.upsert(APP, 'u2', {}, T0);
      await users.expireTokens(APP, ['u1', 'u2', 'ghost', 'u1'], T0 + 10);
      expect((await users.get(APP, 'u1'))?.tokensValidAfter).toBe(T0 + 10);
      expect((await users.get(APP, 'u2'))?.tokensValidAfter).toBe(T0 + 10);
      expect(await users.get(APP, 'ghost')).toBeUndefined();
      await users.expireTokens(APP, ['u1'], T0 + 5);
      expect((await users.get(APP, 'u1'))?.tokensValidAfter).toBe(T0 + 10);
      await users.expireTokens(APP, ['u1'], T0 + 20);
      expect((await users.get(APP, 'u1'))?.tokensValidAfter).toBe(T0 + 20);
      await users.expireTokens(APP, [], T0 + 30);
    });

    it('blocks until an instant and unblocks with 0, ignoring unknown users', async () => {
      const { users } = context.store;
      await users.upsert(APP, 'u1', {}, T0);
      await users.setBlockedUntil(APP, 'u1', T0 + 1_000, T0);
      expect((await users.get(APP, 'u1'))?.blockedUntil).toBe(T0 + 1_000);
      await users.setBlockedUntil(APP, 'u1', 0, T0);
      expect((await users.get(APP, 'u1'))?.blockedUntil).toBe(0);
      await users.setBlockedUntil(APP, 'ghost', T0, T0);
      expect(await users.get(APP, 'ghost')).toBeUndefined();
    });

    it('keeps apps apart', async () => {
      const { users } = context.store;
      await users.upsert(APP, 'u1', { name: 'in a' }, T0);
      expect(await users.get(OTHER_APP, 'u1')).toBeUndefined();
      await users.upsert(OTHER_APP, 'u1', { name: 'in b' }, T0 + 1);
      await users.expireTokens(OTHER_APP, ['u1'], T0 + 50);
      await users.setBlockedUntil(OTHER_APP, 'u1', T0 + 60, T0);
      expect(await users.get(APP, 'u1')).toMatchObject({ name: 'in a', tokensValidAfter: 0, blockedUntil: 0, createdTime: T0 });
      expect(await users.get(OTHER_APP, 'u1')).toMatchObject({ name: 'in b', tokensValidAfter: T0 + 50, blockedUntil: T0 + 60 });
    });
  });
}
