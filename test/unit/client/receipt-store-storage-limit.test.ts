/**
 * Group read receipt responses under a host's per-key limit (src/client/services/receipt-store.ts): each of
 * our messages keeps the ids of the members who answered it (the count is of distinct users), so 1000
 * messages answered by a 60-member group made the record a few MB; WeChat refuses more than 1 MB per key,
 * every later write was refused and a reload lost every count. The responses are now bounded by their
 * text, the oldest going first. Real store over the WeChat host simulator's storage (the host boundary).
 */
import type { ImMessage } from '../../../src/client/services/im-message';
import { statusMessage } from '../../support/im-message-fixture';
import { MAX_RECEIPT_ENTRIES, ReceiptStore, receiptTtlMs } from '../../../src/client/services/receipt-store';
import { UserStore } from '../../../src/client/services/user-store';
import { SILENT_LOGGER } from '../../../src/client/logger';
import { SimulatedDevice, simulatedAdapter } from '../../support/host-simulators';

const MEMBERS = Array.from({ length: 60 }, (_, i) => `member-${String(i).padStart(3, '0')}-0123456789abcdef0123456789`);

function response(from: string, uids: string[]): ImMessage {
  return statusMessage({ conversationType: 3, targetId: 'big-group', senderUserId: from, objectName: 'RC:RRRspMsg', content: { receiptMessageDic: { me: uids } }, messageUId: `rsp-${from}-${uids[0] ?? ''}` });
}

test(`responses to ${MAX_RECEIPT_ENTRIES} messages from a ${MEMBERS.length}-member group are stored and the newest counts reload`, async () => {
  const storage = simulatedAdapter('wechat', new SimulatedDevice()).storage;
  const now = (): number => 1_000_000_000_000;
  const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
  const store = new ReceiptStore(user, receiptTtlMs(15), now);
  await store.load();
  const uids = Array.from({ length: MAX_RECEIPT_ENTRIES }, (_, i) => `our-message-${String(i).padStart(6, '0')}`);
  // Every member answers every message, in batches of 50 messages as a member reading the group would.
  for (let b = 0; b < uids.length; b += 50) for (const member of MEMBERS) store.observe(response(member, uids.slice(b, b + 50)), 'me');
  await user.flush();

  const again = new ReceiptStore(new UserStore(storage, 'app', 'me', SILENT_LOGGER), receiptTtlMs(15), now);
  await again.load();
  // One more member's answer to the newest message counts on from what was stored.
  const newest = uids[uids.length - 1] as string;
  expect(again.observe(response('late-member', [newest]), 'me')).toEqual({ [newest]: MEMBERS.length + 1 });
});
