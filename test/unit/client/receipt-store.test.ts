/** Group read receipts v1 kept in the user's storage (receipt-store.ts): persistence, expiry by readReceiptTimeout, bounds. */
import type { ImMessage } from '../../../src/client/services/im-message';
import { statusMessage } from '../../support/im-message-fixture';
import { DAY_MS, MAX_RECEIPT_ENTRIES, ReceiptStore, receiptTtlMs } from '../../../src/client/services/receipt-store';
import { UserStore } from '../../../src/client/services/user-store';
import { SILENT_LOGGER } from '../../../src/client/logger';
import type { KeyValueStorage } from '../../../src/platform/platform-adapter';
import { createMemoryStorage } from '../../../platforms/node/node-storage';

function message(objectName: string, from: string, content: Record<string, unknown>, groupId = 'g1'): ImMessage {
  return statusMessage({ conversationType: 3, targetId: groupId, senderUserId: from, objectName, content, messageUId: `${objectName}-${from}-${Math.random()}` });
}

const request = (from: string, uid: string, groupId = 'g1'): ImMessage => message('RC:RRReqMsg', from, { messageUId: uid }, groupId);
const response = (from: string, to: string, uids: string[]): ImMessage => message('RC:RRRspMsg', from, { receiptMessageDic: { [to]: uids } });

describe('ReceiptStore', () => {
  let storage: KeyValueStorage;
  let now: number;
  const open = async (ttl = receiptTtlMs(undefined)): Promise<ReceiptStore> => {
    const store = new ReceiptStore(new UserStore(storage, 'app', 'me', SILENT_LOGGER), ttl, () => now);
    await store.load();
    return store;
  };
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

  beforeEach(() => {
    storage = createMemoryStorage();
    now = 1_000_000_000_000;
  });

  test('readReceiptTimeout: default one day, whole days clamped to 1–15', () => {
    expect(receiptTtlMs(undefined)).toBe(DAY_MS);
    expect(receiptTtlMs('3')).toBe(DAY_MS);
    expect(receiptTtlMs(0)).toBe(DAY_MS);
    expect(receiptTtlMs(7)).toBe(7 * DAY_MS);
    expect(receiptTtlMs(99)).toBe(15 * DAY_MS);
  });

  test('requests and response counts come back after a reopen on the same storage', async () => {
    const first = await open();
    first.observe(request('alice', 'u1'), 'me');
    first.observe(request('carol', 'u2'), 'me');
    first.observe(request('alice', 'u3', 'g2'), 'me');
    expect(first.observe(response('bob', 'me', ['m1']), 'me')).toEqual({ m1: 1 });
    await settle();
    const second = await open();
    expect(second.pendingOf(3, 'g1')).toEqual({ alice: ['u1'], carol: ['u2'] });
    // The same responder twice counts once; another one adds.
    expect(second.observe(response('bob', 'me', ['m1']), 'me')).toEqual({ m1: 1 });
    expect(second.observe(response('dave', 'me', ['m1']), 'me')).toEqual({ m1: 2 });
    second.answered(3, 'g1');
    expect(second.pendingOf(3, 'g1')).toBeUndefined();
    expect(second.pendingOf(3, 'g2')).toEqual({ alice: ['u3'] });
    await settle();
    expect((await open()).pendingOf(3, 'g1')).toBeUndefined();
  });

  test('entries expire readReceiptTimeout after they were last touched, in memory and at load', async () => {
    const store = await open(2 * DAY_MS);
    store.observe(request('alice', 'u1'), 'me');
    store.observe(response('bob', 'me', ['m1']), 'me');
    now += DAY_MS;
    store.observe(request('carol', 'u2'), 'me');
    now += DAY_MS + 1;
    // alice's request is two days and 1 ms old, carol's one day.
    expect(store.pendingOf(3, 'g1')).toEqual({ carol: ['u2'] });
    await settle();
    const reopened = await open(2 * DAY_MS);
    expect(reopened.pendingOf(3, 'g1')).toEqual({ carol: ['u2'] });
    // m1's count started again: its responders had expired.
    expect(reopened.observe(response('dave', 'me', ['m1']), 'me')).toEqual({ m1: 1 });
  });

  test('responses addressed to someone else, sent ones and malformed ones are ignored', async () => {
    const store = await open();
    expect(store.observe(response('bob', 'someone-else', ['m1']), 'me')).toBeUndefined();
    expect(store.observe({ ...request('alice', 'u1'), direction: 1 }, 'me')).toBeUndefined();
    expect(store.observe(message('RC:RRReqMsg', 'alice', { messageUId: 7 }), 'me')).toBeUndefined();
    expect(store.pendingOf(3, 'g1')).toBeUndefined();
  });

  test(`at most ${MAX_RECEIPT_ENTRIES} requests are kept, the oldest going first`, async () => {
    const store = await open();
    for (let i = 0; i < MAX_RECEIPT_ENTRIES + 5; i++) store.observe(request('alice', `u${i}`), 'me');
    const uids = store.pendingOf(3, 'g1')?.['alice'] ?? [];
    expect(uids.length).toBe(MAX_RECEIPT_ENTRIES);
    expect(uids[0]).toBe('u5');
  });
});
