/** The engine 5.x per-app opt-ins in `--app KEY:SECRET:opt=v` (app-config.ts). */
import { ConfigError, parseAppSpec } from '../../../src/app-config';

describe('engine 5.x app options', () => {
  it('parses serverSaveUnread and e5ReadReceipts; both are absent by default', () => {
    expect(parseAppSpec('k:s:serverSaveUnread=1,e5ReadReceipts=v4', 'test')).toMatchObject({ serverSaveUnread: true, e5ReadReceipts: 'v4' });
    expect(parseAppSpec('k:s:serverSaveUnread=off,e5ReadReceipts=V5', 'test')).toMatchObject({ serverSaveUnread: false, e5ReadReceipts: 'v5' });
    const plain = parseAppSpec('k:s', 'test');
    expect(plain.serverSaveUnread).toBeUndefined();
    expect(plain.e5ReadReceipts).toBeUndefined();
  });

  it('refuses other receipt versions and non-boolean switches', () => {
    expect(() => parseAppSpec('k:s:e5ReadReceipts=v3', 'test')).toThrow(ConfigError);
    expect(() => parseAppSpec('k:s:serverSaveUnread=maybe', 'test')).toThrow(ConfigError);
  });
});
