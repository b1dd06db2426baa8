import { ConfigError, DEFAULT_MAX_GROUP_MEMBERS, parseAppSpec } from '../../../src/config';

describe('group app options', () => {
  it('are absent by default (3000 members, no pre-join history, receipts v1)', () => {
    const app = parseAppSpec('k:s', 'test');
    expect(app.maxGroupMembers).toBeUndefined();
    expect(app.groupHistoryBeforeJoin).toBeUndefined();
    expect(app.groupReadReceiptV2).toBeUndefined();
    expect(DEFAULT_MAX_GROUP_MEMBERS).toBe(3000);
  });

  it('parse from --app KEY:SECRET:opt=value', () => {
    const app = parseAppSpec('k:s:maxGroupMembers=500,groupHistoryBeforeJoin=1,groupReceiptV2=true', 'test');
    expect(app).toMatchObject({ maxGroupMembers: 500, groupHistoryBeforeJoin: true, groupReadReceiptV2: true });
    expect(parseAppSpec('k:s:groupReadReceiptV2=0', 'test').groupReadReceiptV2).toBe(false);
  });

  it('reject out-of-range or malformed values', () => {
    expect(() => parseAppSpec('k:s:maxGroupMembers=0', 'test')).toThrow(ConfigError);
    expect(() => parseAppSpec('k:s:maxGroupMembers=many', 'test')).toThrow(ConfigError);
    expect(() => parseAppSpec('k:s:groupHistoryBeforeJoin=maybe', 'test')).toThrow(ConfigError);
  });
});
