import type { ContractContext } from './contract-support';
import { T0 } from './contract-support';

const NEW_APP = { appKey: 'k1', appSecret: 's1', name: 'First', options: { multiDevice: '1', maxGroupMembers: '50' }, enabled: true };

export function describeApps(context: ContractContext): void {
  describe('console apps', () => {
    it('create once per key, get, list oldest first with every field', async () => {
      const { apps } = context.store;
      expect(await apps.list()).toEqual([]);
      expect(await apps.get('k1')).toBeUndefined();
      expect(await apps.create(NEW_APP, T0)).toBe(true);
      expect(await apps.create({ ...NEW_APP, appSecret: 'other' }, T0 + 1)).toBe(false);
      expect(await apps.create({ appKey: 'k0', appSecret: 's0', name: '', options: {}, enabled: false }, T0 + 2)).toBe(true);
      const first = { ...NEW_APP, createdTime: T0, updatedTime: T0 };
      expect(await apps.get('k1')).toEqual(first);
      expect(await apps.list()).toEqual([first, { appKey: 'k0', appSecret: 's0', name: '', options: {}, enabled: false, createdTime: T0 + 2, updatedTime: T0 + 2 }]);
    });

    it('update changes only the given fields and always moves updatedTime forward; unknown keys write nothing', async () => {
      const { apps } = context.store;
      await apps.create(NEW_APP, T0);
      const rotated = await apps.update('k1', { appSecret: 's2' }, T0 + 10);
      expect(rotated).toEqual({ ...NEW_APP, appSecret: 's2', createdTime: T0, updatedTime: T0 + 10 });
      // A clock that did not move (or went back) still yields a newer updatedTime.
      const disabled = await apps.update('k1', { enabled: false }, T0 + 5);
      expect(disabled).toMatchObject({ appSecret: 's2', enabled: false, updatedTime: T0 + 11 });
      const changed = await apps.update('k1', { options: { recallWindowMs: '1000' }, name: 'Renamed', enabled: true }, T0 + 20);
      expect(changed).toEqual({ appKey: 'k1', appSecret: 's2', name: 'Renamed', options: { recallWindowMs: '1000' }, enabled: true, createdTime: T0, updatedTime: T0 + 20 });
      expect(await apps.get('k1')).toEqual(changed);
      expect(await apps.update('ghost', { enabled: false }, T0 + 30)).toBeUndefined();
      expect(await apps.get('ghost')).toBeUndefined();
    });

    it('survives a reopen', async () => {
      await context.store.apps.create(NEW_APP, T0);
      await context.store.apps.update('k1', { enabled: false }, T0 + 1);
      const reopened = await context.reopen();
      expect(await reopened.apps.get('k1')).toEqual({ ...NEW_APP, enabled: false, createdTime: T0, updatedTime: T0 + 1 });
    });
  });
}
