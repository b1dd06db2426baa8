/**
 * The unread record over a host's per-key limit (src/client/services/unread-store.ts): WeChat refuses a
 * value over 1 MB per key, so a user with ~20,000 unread messages (a few busy groups left unread for a
 * while) had every later write of the record refused — the counts of the session were never stored again
 * and a reload showed an old record, or none. The record now folds its oldest uids into plain counts to
 * stay under MAX_UNREAD_TEXT; counts stay exact and clear as before. Real stores over the WeChat host
 * simulator's storage (its 1 MB item limit is the host's).
 */
import type { ImMessage } from '../../../src/client/services/im-message';
import { imMessage } from '../../support/im-message-fixture';
import { UnreadStore } from '../../../src/client/services/unread-store';
import { UserStore } from '../../../src/client/services/user-store';
import { SILENT_LOGGER } from '../../../src/client/logger';
import type { KeyValueStorage } from '../../../src/platform/platform-adapter';
import { SimulatedDevice, simulatedAdapter } from '../../support/host-simulators';

const CONVERSATIONS = 30;
const PER_CONVERSATION = 1000;

function received(targetId: string, i: number): ImMessage {
  return imMessage({
    conversationType: 3,
    targetId,
    senderUserId: `member-${i % 7}`,
    messageUId: `C${targetId.padStart(6, '0')}-${String(i).padStart(12, '0')}`,
    sentTime: 1_700_000_000_000 + i,
  });
}

async function reload(storage: KeyValueStorage): Promise<UnreadStore> {
  const store = new UnreadStore(new UserStore(storage, 'app', 'me', SILENT_LOGGER));
  await store.load();
  return store;
}

const groups = Array.from({ length: CONVERSATIONS }, (_, g) => `g${g}`);
const totalOf = (store: UnreadStore): number => store.total([3], true, () => false);

describe('unread record under the 1 MB per-key limit of WeChat storage', () => {
  test(`${CONVERSATIONS * PER_CONVERSATION} unread group messages are stored and reload with exact counts`, async () => {
    const device = new SimulatedDevice();
    const storage = simulatedAdapter('wechat', device).storage;
    const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
    const unread = new UnreadStore(user);
    for (let i = 0; i < PER_CONVERSATION; i++) for (const g of groups) unread.onReceived(received(g, i));
    expect(totalOf(unread)).toBe(CONVERSATIONS * PER_CONVERSATION);
    await user.flush();

    // The write went through (before: refused by the host, logged, nothing stored).
    expect(await storage.get(user.key('unread'))).toBeDefined();

    const again = await reload(storage);
    expect(totalOf(again)).toBe(CONVERSATIONS * PER_CONVERSATION);
    for (const g of groups) expect(again.count(3, g)).toBe(PER_CONVERSATION);
    // The newest messages are still tracked one by one: a recall of one decrements.
    expect(again.onRecalled(3, 'g0', received('g0', PER_CONVERSATION - 1).messageUId)).toBe(true);
    expect(again.count(3, 'g0')).toBe(PER_CONVERSATION - 1);
    // A partial clear up to the newest read message clears the folded ones too; a clear of all clears all.
    again.clear(3, 'g1', received('g1', PER_CONVERSATION - 2).sentTime);
    expect(again.count(3, 'g1')).toBe(1);
    again.clear(3, 'g2');
    expect(again.count(3, 'g2')).toBe(0);
    again.clearUpTo(received('g3', PER_CONVERSATION - 1).sentTime);
    expect(totalOf(again)).toBe(0);
  });
});
