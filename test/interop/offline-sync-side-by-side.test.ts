/**
 * Interop (offline sync, multi-device): the OFFICIAL web client (imlib-v2 2.9.2 on engine 4.4.2) and our SDK
 * are two devices of one user. Both are offline while the user's conversations move on (a peer's private
 * message, a group message, a system message, the user's own send from a third device); then both connect
 * and pull. What each hands the app — the listener's messages, a live message after the sync, history pages
 * and the conversation list — must carry the same fields.
 */
import { randomBytes } from 'node:crypto';
import { ConversationType } from '../../src/index';
import type { Message } from '../../src/index';
import { call, ok, sdkUser } from '../e2e/sdk-api-support';
import type { SdkUser } from '../e2e/sdk-api-support';
import { MULTI_DEVICE_APP, sendTextOk, useInteropServer } from '../support/official-client/interop-fixture';
import type { OnlineUser } from '../support/official-client/interop-fixture';
import type { OfficialClient } from '../support/official-client/launch-official-client';
import { ConnectionStatus } from '../support/official-client/official-message';
import type { OfficialConversation, OfficialMessage } from '../support/official-client/official-message';
import { serverApi } from '../support/server-api-client';

const APP = MULTI_DEVICE_APP;
const fx = useInteropServer();
const sdkUsers: SdkUser[] = [];

afterEach(async () => {
  for (const user of sdkUsers.splice(0)) await user.im.disconnect();
});

/** The fields an app reads from a received message (ids made up locally and receivedTime left out). */
function fields(m: Message | OfficialMessage): Record<string, unknown> {
  return {
    messageUId: m.messageUId,
    conversationType: m.conversationType,
    targetId: m.targetId,
    senderUserId: m.senderUserId,
    objectName: m.objectName,
    messageType: m.messageType,
    content: m.content,
    messageDirection: m.messageDirection,
    offLineMessage: m.offLineMessage,
    sentTime: m.sentTime,
    receivedStatus: m.receivedStatus,
  };
}

interface Devices {
  readonly phone: OnlineUser;
  readonly official: OfficialClient;
  readonly ours: SdkUser;
  readonly peer: string;
  readonly groupId: string;
}

/** The user on three devices (official phone, official laptop, our SDK), a peer and a group of both. */
async function devices(): Promise<Devices> {
  const phone = await fx.online('u-phone', {}, APP);
  const official = await fx.launch('u-official', {}, APP);
  expect(await official.connect(phone.token)).toEqual({ ok: true, userId: phone.userId });
  const ours = await sdkUser(fx.server, APP, 'u-ours', { userId: phone.userId, token: phone.token });
  sdkUsers.push(ours);
  expect(await ours.connect()).toBe(phone.userId);
  const peer = fx.newUserId('peer');
  await fx.tokenFor(peer, APP);
  const groupId = `g${randomBytes(6).toString('hex')}`;
  const api = serverApi(fx.server.url, APP.key, APP.secret);
  expect((await api.post('/group/create.json', { userId: [phone.userId, peer], groupId, groupName: 'offline sync' })).body).toMatchObject({ code: 200 });
  return { phone, official, ours, peer, groupId };
}

async function publish(path: string, form: Record<string, string | number | readonly string[]>): Promise<void> {
  const response = await serverApi(fx.server.url, APP.key, APP.secret).post(path, { objectName: 'RC:TxtMsg', ...form });
  expect(response.body).toMatchObject({ code: 200 });
}

/** Both laptops go offline, the conversations move on, both come back and pull; returns what each got. */
async function offlineRound(d: Devices): Promise<{ official: OfficialMessage[]; ours: Message[] }> {
  const officialMark = d.official.messages.length;
  const oursMark = d.ours.received.length;
  await d.official.disconnect();
  await d.official.waitForStatus(ConnectionStatus.DISCONNECTED, 5_000);
  await d.ours.im.disconnect();

  const user = d.phone.userId;
  await publish('/message/private/publish.json', { fromUserId: d.peer, toUserId: user, content: JSON.stringify({ content: 'private while away' }) });
  await publish('/message/group/publish.json', { fromUserId: d.peer, toGroupId: d.groupId, content: JSON.stringify({ content: 'group while away' }) });
  await publish('/message/system/publish.json', { fromUserId: 'notices', toUserId: user, content: JSON.stringify({ content: 'system while away' }) });
  const own = await sendTextOk(d.phone.client, d.peer, 'sent from my phone');

  expect(await d.official.connect(d.phone.token)).toEqual({ ok: true, userId: user });
  expect(await d.ours.connect()).toBe(user);
  await d.official.nextMessage((m) => m.messageUId === own.messageUId, 10_000);
  await d.ours.next((m) => m.messageUId === own.messageUId, 10_000);
  await d.official.settle(500);
  return { official: d.official.messages.slice(officialMark), ours: d.ours.received.slice(oursMark).map((r) => r.message) };
}

describe('offline sync side by side: official 2.9.2 and our SDK as two devices of one user', () => {
  test('pulled, live, history and conversation-list messages carry the same fields (receivedStatus included)', async () => {
    const d = await devices();
    const pulled = await offlineRound(d);
    expect(pulled.official).toHaveLength(4);
    expect(pulled.ours.map(fields)).toEqual(pulled.official.map(fields));

    // A message after the sync (no longer offline) reaches both the same way.
    await publish('/message/private/publish.json', { fromUserId: d.peer, toUserId: d.phone.userId, content: JSON.stringify({ content: 'live' }) });
    const liveOfficial = await d.official.nextMessage((m) => m.content.content === 'live', 10_000);
    const liveOurs = await d.ours.next((m) => (m.content as { content?: string }).content === 'live', 10_000);
    expect(fields(liveOurs)).toEqual(fields(liveOfficial));

    // History pages and the conversation list present the stored messages alike.
    const officialHistory = await d.official.call<OfficialMessage[]>('getHistoryMessages', ConversationType.PRIVATE, d.peer, 0, 20, undefined, 0);
    const oursHistory = await ok(call<Message[]>((cb) => d.ours.im.getHistoryMessages(ConversationType.PRIVATE, d.peer, 0, 20, cb)), 'history');
    expect(officialHistory.ok && officialHistory.value.length).toBe(3);
    expect(oursHistory.map(fields)).toEqual(officialHistory.ok ? officialHistory.value.map(fields) : []);

    const officialList = await d.official.call<OfficialConversation[]>('getConversationList', null, 20);
    const oursList = await ok(call<{ conversationType: number; targetId: string; latestMessage: Message | null }[]>((cb) => d.ours.im.getConversationList(cb, null, 20)), 'list');
    const latest = (list: readonly { conversationType: number; targetId: string; latestMessage: Message | OfficialMessage | null }[]) =>
      list.map((c) => [c.conversationType, c.targetId, c.latestMessage ? fields(c.latestMessage) : null]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(officialList.ok).toBe(true);
    expect(latest(oursList)).toEqual(latest(officialList.ok ? officialList.value : []));
  }, 60_000);

  test('every message from the server carries pushConfig as 2.9.2 builds it (push text or null, flag bits)', async () => {
    const d = await devices();
    const pushOf = (m: Message | OfficialMessage): unknown => [m.content.content, m.pushConfig];
    const pulled = await offlineRound(d);
    expect(pulled.ours.map(pushOf)).toEqual(pulled.official.map(pushOf));

    await publish('/message/private/publish.json', { fromUserId: d.peer, toUserId: d.phone.userId, content: JSON.stringify({ content: 'with push text' }), pushContent: 'you have mail' });
    const officialLive = await d.official.nextMessage((m) => m.content.content === 'with push text', 10_000);
    const oursLive = await d.ours.next((m) => (m.content as { content?: string }).content === 'with push text', 10_000);
    expect(officialLive.pushConfig).toMatchObject({ pushContent: 'you have mail' });
    expect(pushOf(oursLive)).toEqual(pushOf(officialLive));
  }, 60_000);
});
