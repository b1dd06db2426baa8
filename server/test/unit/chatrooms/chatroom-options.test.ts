import { chatroomOptionsOf, DEFAULT_CHATROOM_OPTIONS, parseChatroomOption } from '../../../src/chatroom-options';
import { ConfigError, parseAppSpec } from '../../../src/config';

describe('chatroom app options', () => {
  it('default to the seed values', () => {
    expect(chatroomOptionsOf(undefined)).toEqual(DEFAULT_CHATROOM_OPTIONS);
    expect(DEFAULT_CHATROOM_OPTIONS).toMatchObject({
      multiRoom: false, kickOfflineMs: 30_000, kickMissedMessages: 30, idleDestroyMs: 3_600_000, kvEnabled: true, maxKeys: 100,
      quotaWindowMs: 200, quotaHigh: 20, quotaShared: 20, memberNotify: false,
    });
  });

  it('parse from --app specs, including the navi names', () => {
    const app = parseAppSpec('k:s:chrmMulti=1,chrmKickOfflineMs=300,chrmKickMissed=3,kvStorage=0,chrmIdleDestroyMs=500,chrmMaxMembers=2', 'test');
    expect(chatroomOptionsOf(app)).toMatchObject({ multiRoom: true, kickOfflineMs: 300, kickMissedMessages: 3, kvEnabled: false, idleDestroyMs: 500, maxMembers: 2 });
    expect(chatroomOptionsOf(parseAppSpec('k:s:joinMChrm=true', 'test')).multiRoom).toBe(true);
    expect(parseAppSpec('k:s', 'test').chatroom).toBeUndefined();
  });

  it('reject bad values with the option named', () => {
    expect(parseChatroomOption('colour', '1')).toBeUndefined();
    expect(parseChatroomOption('chrmMulti', 'maybe')).toMatch(/not a boolean/);
    expect(parseChatroomOption('chrmKickOfflineMs', '0')).toMatch(/out of range/);
    expect(() => parseAppSpec('k:s:chrmQuotaHigh=-1', 'test')).toThrow(ConfigError);
    expect(() => parseAppSpec('k:s:chrmQuotaHigh=-1', 'test')).toThrow(/chrmQuotaHigh/);
  });
});
