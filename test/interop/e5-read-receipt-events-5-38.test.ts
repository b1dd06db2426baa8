/**
 * Live read receipts V5 with the official imlib-next 5.38.0: a member's `sendReadReceiptResponseV5` reaches the
 * sender as MESSAGE_RECEIPT_RESPONSE_V5 (server event → `s_cmd` 11 → `pullEventChange`), at once when the
 * sender is online and right after its next connect when it was not; a 2.9.2 member of the same app and group
 * keeps working.
 */
import { serverApi } from '../support/server-api-client';
import { useInteropServer } from '../support/official-client/interop-fixture';
import { killAllE5Clients, launchE5Client } from '../support/official-client-e5/launch-e5-client';
import type { E5Client, E5Message, ListenerEvent } from '../support/official-client-e5/launch-e5-client';
import { SELF_INITIATED_HOSTS } from '../support/official-client-e5/e5-interop-suite';
import { E5_FEATURES_APP } from '../support/official-client-e5/e5-server-features';

const PRIVATE = 1;
const GROUP = 3;

interface ReceiptV5 {
  readonly identifier: { readonly conversationType: number; readonly targetId: string };
  readonly messageUId: string;
  readonly users: ReadonlyArray<{ readonly userId: string; readonly timestamp: number }>;
  readonly readCount: number;
  readonly unreadCount: number;
  readonly totalCount: number;
}

const receiptsOf = (event: ListenerEvent): readonly ReceiptV5[] => (event.name === 'MESSAGE_RECEIPT_RESPONSE_V5' ? (event.data as ReceiptV5[]) : []);
const allReceipts = (client: E5Client): ReceiptV5[] => client.events.flatMap(receiptsOf);
const textOf = (m: E5Message): unknown => m.content.content;

async function receiptFor(client: E5Client, messageUId: string, timeoutMs = 10_000): Promise<ReceiptV5> {
  const event = await client.waitForEvent((e) => receiptsOf(e).some((r) => r.messageUId === messageUId), timeoutMs);
  const found = receiptsOf(event).find((r) => r.messageUId === messageUId);
  if (found === undefined) throw new Error('unreachable');
  return found;
}

describe('official imlib-next 5.38: live read receipts V5', () => {
  const fixture = useInteropServer([E5_FEATURES_APP]);
  const app = E5_FEATURES_APP;
  afterEach(async () => {
    await killAllE5Clients();
  });

  const e5Online = async (name: string, userId = fixture.newUserId(name)): Promise<{ client: E5Client; userId: string; token: string }> => {
    const client = await launchE5Client({ version: '5.38', appKey: app.key, navi: fixture.server.url, label: `${name}-5.38` });
    const token = await fixture.tokenFor(userId, app);
    const result = await client.connect(token);
    if (result.code !== 0) throw new Error(`${name} connect: ${JSON.stringify(result)}\n${client.logs().slice(-4000)}`);
    return { client, userId, token };
  };
  const expectClean = async (client: E5Client): Promise<void> => {
    expect(client.logs()).not.toMatch(/pb decode error|Missing at least one required field|unhandled|uncaught|version error/);
    const foreign = (await client.blocked()).filter((r) => !SELF_INITIATED_HOSTS.includes(new URL(r.url).hostname));
    expect(foreign).toEqual([]);
  };

  it('an online sender hears of group and private reads at once, with the counts; a 2.9.2 member is unaffected', async () => {
    const sender = await e5Online('evs');
    const reader = await e5Online('evr');
    const official = await fixture.online('evv2', {}, app);
    const groupId = fixture.newUserId('evg');
    const api = serverApi(fixture.server.url, app.key, app.secret);
    expect((await api.post('/group/create.json', { userId: [sender.userId, reader.userId, official.userId], groupId, groupName: 'ev' })).status).toBe(200);
    const group = { conversationType: GROUP, targetId: groupId };

    const sent = await sender.client.sendText(GROUP, groupId, 'live v5');
    await reader.client.nextMessage((m) => textOf(m) === 'live v5');
    await official.client.nextMessage((m) => m.content.content === 'live v5');
    await reader.client.ok('sendReadReceiptResponseV5', group, [sent.messageUId]);
    const receipt = await receiptFor(sender.client, sent.messageUId);
    expect(receipt).toMatchObject({ identifier: { conversationType: GROUP, targetId: groupId }, readCount: 1, unreadCount: 1, totalCount: 2 });
    expect(receipt.users.map((u) => u.userId)).toEqual([reader.userId]);
    expect(receipt.users[0]?.timestamp).toBeGreaterThanOrEqual(sent.sentTime);

    // A repeated receipt changes no count and raises nothing; the reader itself hears nothing.
    await reader.client.ok('sendReadReceiptResponseV5', group, [sent.messageUId]);
    const privateSent = await sender.client.sendText(PRIVATE, reader.userId, 'live private v5');
    await reader.client.nextMessage((m) => textOf(m) === 'live private v5');
    await reader.client.ok('sendReadReceiptResponseV5', { conversationType: PRIVATE, targetId: sender.userId }, [privateSent.messageUId]);
    const privateReceipt = await receiptFor(sender.client, privateSent.messageUId);
    expect(privateReceipt).toMatchObject({ identifier: { conversationType: PRIVATE, targetId: reader.userId }, readCount: 1, unreadCount: 0, totalCount: 1 });
    expect(privateReceipt.users.map((u) => u.userId)).toEqual([reader.userId]);
    expect(allReceipts(sender.client).filter((r) => r.messageUId === sent.messageUId)).toHaveLength(1);
    expect(allReceipts(reader.client)).toEqual([]);

    // A 2.9.2 member's message read with V5: its 2.9.2 session gets the event notice (s_cmd 11), ignores it
    // and keeps exchanging messages; the event stays in its log, unread by anyone.
    const fromOfficial = await official.client.sendText(GROUP, groupId, 'v2 still here');
    if (!fromOfficial.ok) throw new Error('2.9.2 send failed');
    await reader.client.nextMessage((m) => textOf(m) === 'v2 still here');
    await sender.client.nextMessage((m) => textOf(m) === 'v2 still here');
    await reader.client.ok('sendReadReceiptResponseV5', group, [fromOfficial.value.messageUId]);
    const info = await reader.client.ok<Array<Record<string, unknown>>>('getMessageReadReceiptInfoV5', group, [fromOfficial.value.messageUId]);
    expect(info).toEqual([expect.objectContaining({ readCount: 1, unreadCount: 1, totalCount: 2 })]);
    const back = await sender.client.sendText(GROUP, groupId, 'back to v2');
    expect((await official.client.nextMessage((m) => m.content.content === 'back to v2')).messageUId).toBe(back.messageUId);
    expect(official.client.messages.filter((m) => m.messageType === 'UnknownMessage')).toEqual([]);
    expect(allReceipts(sender.client).some((r) => r.messageUId === fromOfficial.value.messageUId)).toBe(false);
    await expectClean(sender.client);
  });

  it('an offline sender gets the reads right after it connects again, once', async () => {
    const sender = await e5Online('offs');
    const reader = await e5Online('offr');
    const first = await sender.client.sendText(PRIVATE, reader.userId, 'offline one');
    const second = await sender.client.sendText(PRIVATE, reader.userId, 'offline two');
    await reader.client.nextMessage((m) => textOf(m) === 'offline two');
    await sender.client.call('disconnect');
    await sender.client.waitForStatus('DISCONNECT');
    await reader.client.ok('sendReadReceiptResponseV5', { conversationType: PRIVATE, targetId: sender.userId }, [first.messageUId, second.messageUId]);
    expect(allReceipts(sender.client)).toEqual([]);

    const again = await sender.client.connect(sender.token);
    expect(again.code).toBe(0);
    const one = await receiptFor(sender.client, first.messageUId);
    const two = await receiptFor(sender.client, second.messageUId);
    expect([one, two].map((r) => [r.readCount, r.unreadCount, r.totalCount])).toEqual([[1, 0, 1], [1, 0, 1]]);

    // A dropped socket reconnects on its own and pulls from its cursor: nothing is replayed.
    const seen = allReceipts(sender.client).length;
    const connects = (): number => sender.client.statuses.filter((s) => s.status === 'CONNECTED').length;
    const before = connects();
    await sender.client.dropSockets();
    for (let i = 0; i < 100 && connects() === before; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connects()).toBe(before + 1);
    const third = await sender.client.sendText(PRIVATE, reader.userId, 'after reconnect');
    await reader.client.nextMessage((m) => textOf(m) === 'after reconnect');
    await reader.client.ok('sendReadReceiptResponseV5', { conversationType: PRIVATE, targetId: sender.userId }, [third.messageUId]);
    await receiptFor(sender.client, third.messageUId);
    expect(allReceipts(sender.client)).toHaveLength(seen + 1);

    // A second device of the sender connecting later starts after what was already handled.
    const device = await e5Online('offs2', sender.userId);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(allReceipts(device.client)).toEqual([]);
    await expectClean(sender.client);
  });
});
