/**
 * Private messaging, sync, history, conversations, recall, delete and clear against the real server
 * process, asserted on the frames and protobuf payloads a client sees (PROTOCOL.md §5, §6, §8, §9).
 */
import { decodeByName, encodeByName, type PublishFrame, type QueryAckFrame, type RcMessageName } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';

const UID = /^[0-9A-V]{4}-[0-9A-V]{4}-[0-9A-V]{4}-[0-9A-V]{4}$/;
let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];
let seq = 0;

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const str = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const uniqueUser = (name: string): string => `${name}${Date.now().toString(36)}${(seq++).toString(36)}`;

async function connect(userId: string, sdkVer = '2.9.2'): Promise<RawClient> {
  const res = await api.post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: 'http://example.com/p.png' });
  const client = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: res.body.token, sdkVer });
  expect(client.connack.status).toBe(0);
  clients.push(client);
  return client;
}

function up(objectName: string, content: unknown, flags = 3): Uint8Array {
  return encodeByName('UpStreamMessage', { sessionId: flags, classname: objectName, content: utf8(JSON.stringify(content)), configFlag: 0 });
}

function decodeAck<N extends RcMessageName>(name: N, ack: QueryAckFrame) {
  expect(ack.status).toBe(0);
  return decodeByName(name, ack.payload);
}

async function pull(client: RawClient, syncTime = 0, sendBoxSyncTime = 0, isPullSend = true) {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime, ispolling: false, isPullSend, sendBoxSyncTime }));
  return decodeAck('DownStreamMessages', ack);
}

async function history(client: RawClient, targetId: string, time: number, count: number, order: number, topic = 'qryPMsg') {
  const ack = await client.query(topic, client.connack.userId ?? '', encodeByName('HistoryMsgInput', { targetId, time, count, order }));
  return decodeAck('HistoryMsgOuput', ack);
}

const isPush = (topic: string) => (f: { kind: string }) => f.kind === 'publish' && (f as PublishFrame).topic === topic;

beforeAll(async () => {
  server = await startServer({ apps: [{ ...DEFAULT_TEST_APP, options: { multiDevice: true, maxSendRate: 1000 } }] });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('private messages', () => {
  it('are acked after storage, notified by s_ntf and pulled with the same uid and time', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    const before = Date.now();
    const ack = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'hello' }));
    expect(ack.status).toBe(0);
    expect(ack.messageUId).toMatch(UID);
    const sentTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
    expect(sentTime).toBeGreaterThanOrEqual(before - 5);

    const ntf = await cb.nextFrame<PublishFrame>(isPush('s_ntf'));
    expect(ntf.qos).toBe(1);
    const notify = decodeByName('NotifyMsg', ntf.payload);
    expect(notify.type).toBe(1);
    expect(notify.time).toBe(sentTime);

    const page = await pull(cb);
    expect(page.finished).toBe(true);
    expect(page.syncTime).toBeGreaterThanOrEqual(sentTime);
    expect(page.list).toHaveLength(1);
    const m = page.list[0]!;
    expect(m.fromUserId).toBe(a);
    expect(m.type).toBe(1);
    expect(m.classname).toBe('RC:TxtMsg');
    expect(JSON.parse(str(m.content))).toEqual({ content: 'hello' });
    expect(m.dataTime).toBe(sentTime);
    expect(m.msgId).toBe(ack.messageUId);
    expect(m.status).toBe(48);
    expect(m.direction).not.toBe(1);

    // The cursor moves past it: a pull from the returned syncTime is empty.
    expect((await pull(cb, page.syncTime, page.syncTime)).list).toHaveLength(0);
  });

  it('echo to the sender\'s other sessions (DUP publish + PUBACK with the same id) and sit in its sendbox', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const a1 = await connect(a);
    const a2 = await connect(a);
    const ack = await a1.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'from a1' }));
    const echo = await a2.nextFrame<PublishFrame>((f) => f.kind === 'publish' && f.dup);
    expect(echo.topic).toBe('ppMsgP');
    expect(echo.targetId).toBe(b);
    expect(echo.messageId).toBeGreaterThan(0);
    const echoAck = await a2.nextFrame((f) => f.kind === 'puback' && f.messageId === echo.messageId);
    expect(echoAck.kind === 'puback' && echoAck.messageUId).toBe(ack.messageUId);
    expect(a1.frames.some((f) => f.kind === 'publish' && f.dup)).toBe(false);

    const page = await pull(a2);
    const sent = page.list.find((m) => m.msgId === ack.messageUId);
    expect(sent).toBeDefined();
    expect(sent!.direction).toBe(1);
    expect(sent!.fromUserId).toBe(b);
    // Without isPullSend the sendbox is not returned.
    expect((await pull(a2, 0, 0, false)).list.find((m) => m.msgId === ack.messageUId)).toBeUndefined();
  });

  it('status messages go to online sessions as s_msg and are never stored', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    ca.send({ kind: 'publish', dup: false, qos: 1, retain: false, topic: 'ppMsgS', targetId: b, messageId: 0, payload: up('RC:TypSts', { typingContentType: 'RC:TxtMsg' }, 0) });
    const push = await cb.nextFrame<PublishFrame>(isPush('s_msg'));
    expect(push.targetId).toBe(a);
    const m = decodeByName('DownStreamMessage', push.payload);
    expect(m.classname).toBe('RC:TypSts');
    expect(m.fromUserId).toBe(a);
    expect((await pull(cb)).list).toHaveLength(0);
    // messageId 0 is fire-and-forget: no PUBACK for it.
    await ca.ping();
    expect(ca.frames.some((f) => f.kind === 'puback' && f.messageId === 0)).toBe(false);
  });

  it('a read-status sync directed to the sender reaches only the sender\'s other devices', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const a1 = await connect(a);
    const a2 = await connect(a);
    const cb = await connect(b);
    const srs = encodeByName('UpStreamMessage', { sessionId: 0, classname: 'RC:SRSMsg', content: utf8(JSON.stringify({ lastMessageSendTime: Date.now() })), userId: [a] });
    const ack = await a1.publish('ppMsgP', b, srs);
    expect(ack.status).toBe(0);
    const echo = await a2.nextFrame<PublishFrame>((f) => f.kind === 'publish' && f.dup);
    expect(echo.targetId).toBe(b);
    await cb.ping();
    await new Promise((r) => setTimeout(r, 100));
    expect(cb.frames.some((f) => f.kind === 'publish' && f.topic === 's_msg')).toBe(false);
  });

  it('a not-stored message to an official session that has not pulled yet waits for its first pull answer', async () => {
    // 2.9.2 pulls right after connecting and takes an s_msg's time as its inbox cursor: one that came first would
    // move the cursor past the offline messages (server/src/gateway/transient-hold.ts).
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    const ack = await ca.publish('ppMsgP', b, up('RC:CmdMsg', { name: 'early' }, 0));
    expect(ack.status).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(cb.frames.some((f) => f.kind === 'publish' && f.topic === 's_msg')).toBe(false);
    const answeredAt = cb.frames.length;
    await pull(cb);
    const push = await cb.nextFrame<PublishFrame>(isPush('s_msg'));
    expect(decodeByName('DownStreamMessage', push.payload).msgId).toBe(ack.messageUId);
    expect(cb.frames.indexOf(push)).toBeGreaterThan(answeredAt);
  });

  it('non-persisted commands are relayed to online sessions only', async () => {
    const [a, b, c] = [uniqueUser('a'), uniqueUser('b'), uniqueUser('c')];
    const ca = await connect(a);
    const cb = await connect(b);
    const ack = await ca.publish('ppMsgP', b, up('RC:CmdMsg', { name: 'x' }, 0));
    expect(ack.status).toBe(0);
    expect(ack.messageUId).toMatch(UID);
    const push = await cb.nextFrame<PublishFrame>(isPush('s_msg'));
    expect(decodeByName('DownStreamMessage', push.payload).msgId).toBe(ack.messageUId);
    expect((await pull(cb)).list).toHaveLength(0);
    await ca.publish('ppMsgP', c, up('RC:CmdMsg', { name: 'y' }, 0));
    const cc = await connect(c);
    expect((await pull(cc)).list).toHaveLength(0);
  });

  it('reach a recipient who was offline, in order, through pullMsg', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const ca = await connect(a);
    const uids: string[] = [];
    for (let i = 0; i < 3; i++) uids.push((await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `m${i}` }))).messageUId ?? '');
    const cb = await connect(b);
    const page = await pull(cb);
    expect(page.list.map((m) => m.msgId)).toEqual(uids);
    const times = page.list.map((m) => m.dataTime);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(new Set(times).size).toBe(3);
  });

  it('sent back to back without waiting for PUBACKs keep the send order in time, history and sync (pipelined sends)', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `m${i}` }))));
    expect(acks.map((ack) => ack.status ?? 0)).toEqual(acks.map(() => 0));
    const times = acks.map((ack) => (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
    const page = await pull(cb);
    expect(page.list.map((m) => m.msgId)).toEqual(acks.map((ack) => ack.messageUId));
    expect(page.list.map((m) => JSON.parse(str(m.content)).content)).toEqual(acks.map((_, i) => `m${i}`));
    // A query right behind a burst waits for it: history holds all of them.
    const burst = Array.from({ length: 10 }, (_, i) => ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `n${i}` })));
    const newest = await history(ca, b, 0, 5, 0);
    expect(newest.list.map((m) => JSON.parse(str(m.content)).content)).toEqual(['n9', 'n8', 'n7', 'n6', 'n5']);
    await Promise.all(burst);
  });

  it('reject bad input with the documented status and keep the connection', async () => {
    const a = uniqueUser('a');
    const ca = await connect(a);
    expect((await ca.publish('ppMsgP', 'b', new Uint8Array([0xff, 0xff]))).status).toBe(33003);
    expect((await ca.publish('ppMsgP', '', up('RC:TxtMsg', { content: 'x' }))).status).toBe(33003);
    const big = 'x'.repeat(128 * 1024);
    expect((await ca.publish('ppMsgP', 'b', up('RC:TxtMsg', { content: big }))).status).toBe(30016);
    expect((await ca.publish('pgMsgP', 'group1', up('RC:TxtMsg', { content: 'x' }))).status).toBe(22406);
    // A room that does not exist (chatrooms answer 23406 only for existing rooms the sender is not in).
    expect((await ca.publish('chatMsg', 'room1', up('RC:TxtMsg', { content: 'x' }))).status).toBe(23410);
    // A query on a send topic is answered, not dropped.
    expect((await ca.query('ppMsgP', 'b', up('RC:TxtMsg', { content: 'x' }))).status).toBe(33003);
    expect((await ca.query('pullMsg', a, new Uint8Array([0x08]))).status).toBe(33003);
    await ca.ping();
    expect(ca.isClosed).toBe(false);
  });
});

describe('history and conversations', () => {
  it('pages history newest first in both orders', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const ca = await connect(a);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const ack = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `h${i}` }));
      times.push((ack.date ?? 0) * 1000 + (ack.millisecond ?? 0));
    }
    const cb = await connect(b);
    const first = await history(cb, a, 0, 2, 0);
    expect(first.list.map((m) => m.dataTime)).toEqual([times[4], times[3]]);
    expect(first.hasMsg).toBe(1);
    expect(first.syncTime).toBe(times[3]);
    const second = await history(cb, a, first.syncTime, 3, 0);
    expect(second.list.map((m) => m.dataTime)).toEqual([times[2], times[1], times[0]]);
    expect(second.hasMsg).toBe(0);
    const forward = await history(cb, a, times[1]!, 2, 1);
    expect(forward.list.map((m) => m.dataTime)).toEqual([times[3], times[2]]);
    // The sender sees the same conversation from its side.
    expect((await history(ca, b, 0, 20, 0)).list).toHaveLength(5);
  });

  it('pages forward (order 1) oldest first for imlib-next 5.28 on, newest first for 5.7.3 and 2.x; the cursor is the same', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const ca = await connect(a);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const ack = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `o${i}` }));
      times.push((ack.date ?? 0) * 1000 + (ack.millisecond ?? 0));
    }
    const e538 = await connect(b, '5.38.0');
    const forward = await history(e538, a, times[0]!, 3, 1);
    expect(forward.list.map((m) => m.dataTime)).toEqual([times[1], times[2], times[3]]);
    expect(forward.syncTime).toBe(times[3]);
    expect(forward.hasMsg).toBe(1);
    // Order 0 stays newest first for every client (5.38 reverses it).
    expect((await history(e538, a, times[4]!, 2, 0)).list.map((m) => m.dataTime)).toEqual([times[3], times[2]]);
    for (const sdkVer of ['5.7.3', '2.9.2']) {
      const other = await connect(b, sdkVer);
      const page = await history(other, a, times[0]!, 3, 1);
      expect(page.list.map((m) => m.dataTime)).toEqual([times[3], times[2], times[1]]);
      expect(page.syncTime).toBe(times[3]);
    }
  });

  it('lists conversations with their latest message, removes and relists them', async () => {
    const [a, b, c] = [uniqueUser('a'), uniqueUser('b'), uniqueUser('c')];
    const ca = await connect(a);
    await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'to b' }));
    const last = await ca.publish('ppMsgP', c, up('RC:TxtMsg', { content: 'to c' }));
    const list = async () => decodeAck('RelationsOutput', await ca.query('qryRelationR', a, encodeByName('RelationQryInput', { type: 1, count: 100, startTime: 0, order: 0 }))).info;
    const info = await list();
    expect(info.map((r) => r.userId)).toEqual([c, b]);
    expect(info[0]!.msg!.msgId).toBe(last.messageUId);
    expect(info[0]!.msg!.direction).toBe(1);
    expect((await ca.query('delRelation', c, encodeByName('RelationQryInput', { type: 1, count: 0, startTime: 0, order: 0 }))).status).toBe(0);
    expect((await list()).map((r) => r.userId)).toEqual([b]);
    // L2's RelationsInput layout for the list works too.
    const l2 = decodeAck('RelationsOutput', await ca.query('qryRelation', a, encodeByName('RelationsInput', { type: 1, count: 10 })));
    expect(l2.info.map((r) => r.userId)).toEqual([b]);
    await ca.publish('ppMsgP', c, up('RC:TxtMsg', { content: 'again' }));
    expect((await list()).map((r) => r.userId)).toEqual([c, b]);
  });

  it('qryRelationR order 1 (imlib-next 5.x) lists the conversations after startTime, oldest first; order 0 pages back from it, newest first', async () => {
    const [a, b, c, d] = [uniqueUser('a'), uniqueUser('b'), uniqueUser('c'), uniqueUser('d')];
    const ca = await connect(a, '5.7.3');
    for (const peer of [b, c, d]) await ca.publish('ppMsgP', peer, up('RC:TxtMsg', { content: `to ${peer}` }));
    const list = async (count: number, startTime: number, order?: number) => {
      const input = order === undefined ? { count, startTime } : { type: 1, count, startTime, order };
      const out = decodeAck('RelationsOutput', await ca.query('qryRelationR', a, encodeByName('RelationQryInput', input)));
      return out.info.map((r) => ({ id: r.userId, time: Number(r.msg!.dataTime) }));
    };
    const newest = await list(10, 0, 0);
    expect(newest.map((r) => r.id)).toEqual([d, c, b]);
    const [tb, tc, td] = [newest[2]!.time, newest[1]!.time, newest[0]!.time];
    // order 1 from 0: from the first; count takes the oldest; startTime is exclusive both ways.
    expect((await list(10, 0, 1)).map((r) => r.id)).toEqual([b, c, d]);
    expect((await list(2, 0, 1)).map((r) => r.id)).toEqual([b, c]);
    expect((await list(10, tb, 1)).map((r) => r.id)).toEqual([c, d]);
    expect((await list(10, td, 1))).toEqual([]);
    expect((await list(2, tc, 0)).map((r) => r.id)).toEqual([b]);
    // No order (5.38 with order 0 leaves it out) is order 0.
    expect((await list(10, td)).map((r) => r.id)).toEqual([c, b]);
    // A removed conversation is not listed either way.
    expect((await ca.query('delRelation', c, encodeByName('RelationQryInput', { type: 1, count: 0, startTime: 0, order: 0 }))).status).toBe(0);
    expect((await list(10, 0, 1)).map((r) => r.id)).toEqual([b, d]);
  });

  it('qryRLBatch (imlib-next 5.38) answers the latest message of each asked conversation in the list, echoing its busChannel', async () => {
    const [a, b, c, d] = [uniqueUser('a'), uniqueUser('b'), uniqueUser('c'), uniqueUser('d')];
    const ca = await connect(a, '5.38.0');
    await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'to b 1' }));
    const toB = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'to b 2' }));
    const toC = await ca.publish('ppMsgP', c, up('RC:TxtMsg', { content: 'to c' }));
    expect((await ca.query('delRelationBatch', a, encodeByName('RelationDelBatchReq', { relation: [{ conversationId: c, conversationType: 1 }] }))).status).toBe(0);
    const batch = (relation: { conversationId: string; conversationType: number; busChannel?: string }[]) =>
      ca.query('qryRLBatch', a, encodeByName('RelationDelBatchReq', { relation }));
    const out = decodeAck('RelationsOutput', await batch([
      { conversationId: d, conversationType: 1, busChannel: '' }, // never talked to: left out
      { conversationId: c, conversationType: 1, busChannel: '' }, // removed from the list: left out
      { conversationId: b, conversationType: 1, busChannel: 'chan' },
    ]));
    expect(out.info.map((r) => [r.type, r.userId, r.channelId ?? ''])).toEqual([[1, b, 'chan']]);
    expect(out.info[0]!.msg!.msgId).toBe(toB.messageUId);
    expect(str(out.info[0]!.msg!.content)).toBe(JSON.stringify({ content: 'to b 2' }));
    expect(out.info[0]!.msg!.direction).toBe(1);
    // The peer sees its side of it; nothing asked, nothing answered; malformed or too many asked: 33003.
    const cb = await connect(b, '5.38.0');
    const peer = decodeAck('RelationsOutput', await cb.query('qryRLBatch', b, encodeByName('RelationDelBatchReq', { relation: [{ conversationId: a, conversationType: 1 }] })));
    expect(peer.info.map((r) => [r.userId, r.msg?.msgId])).toEqual([[a, toB.messageUId]]);
    expect(decodeAck('RelationsOutput', await batch([])).info).toEqual([]);
    expect((await batch([{ conversationId: '', conversationType: 1 }])).status).toBe(33003);
    expect((await batch(Array.from({ length: 101 }, (_, i) => ({ conversationId: `u${i}`, conversationType: 1 })))).status).toBe(33003);
    expect(toC.messageUId).toBeTruthy();
  });

  it('deletes and clears history for the caller only', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const ca = await connect(a);
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push(await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `d${i}` })));
    const cb = await connect(b);
    const del = encodeByName('DeleteMsgInput', { type: 1, conversationId: a, msgs: [{ msgId: acks[0]!.messageUId ?? '', msgDataTime: 0, direct: 2 }] });
    expect((await cb.query('delMsg', b, del)).status).toBe(0);
    expect((await history(cb, a, 0, 20, 0)).list).toHaveLength(2);
    expect((await history(ca, b, 0, 20, 0)).list).toHaveLength(3);
    const tooMany = encodeByName('DeleteMsgInput', { type: 1, conversationId: a, msgs: Array.from({ length: 101 }, (_, i) => ({ msgId: `X${i}` })) });
    expect((await cb.query('delMsg', b, tooMany)).status).toBe(33003);

    const t1 = (acks[1]!.date ?? 0) * 1000 + (acks[1]!.millisecond ?? 0);
    expect((await cb.query('cleanPMsg', b, encodeByName('CleanHisMsgInput', { targetId: a, dataTime: t1 }))).status).toBe(0);
    const left = await history(cb, a, 0, 20, 0);
    expect(left.list.map((m) => m.msgId)).toEqual([acks[2]!.messageUId]);
    expect((await history(ca, b, 0, 20, 0)).list).toHaveLength(3);
  });
});

describe('recall', () => {
  it('lets only the sender recall; the peer syncs the RC:RcCmd and history drops the original', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    const ack = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'oops' }));
    const sentTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
    const command = { conversationType: 1, targetId: b, messageUId: ack.messageUId, sentTime };
    // B may not recall A's message; the frame target of recallMsg is the caller's own id.
    expect((await cb.publish('recallMsg', b, up('RC:RcCmd', { conversationType: 1, targetId: a, messageUId: ack.messageUId, sentTime }, 0))).status).toBe(25101);
    const recall = await ca.publish('recallMsg', a, up('RC:RcCmd', command, 0));
    expect(recall.status).toBe(0);
    expect(recall.messageUId).toMatch(UID);
    expect(recall.messageUId).not.toBe(ack.messageUId);
    expect((await ca.publish('recallMsg', a, up('RC:RcCmd', command, 0))).status).toBe(25101);

    const page = await pull(cb);
    const rc = page.list.find((m) => m.classname === 'RC:RcCmd');
    expect(rc).toBeDefined();
    expect(rc!.fromUserId).toBe(a);
    expect(rc!.type).toBe(1);
    expect(JSON.parse(str(rc!.content))).toMatchObject({ messageUId: ack.messageUId });
    expect(rc!.status & 32).toBe(0);
    const hist = await history(cb, a, 0, 20, 0);
    expect(hist.list.map((m) => m.msgId)).not.toContain(ack.messageUId);
  });
});

describe('connect-time topics', () => {
  it('answer pullSeAtts, pullUS and reportsdk with complete messages', async () => {
    const a = uniqueUser('a');
    const ca = await connect(a);
    const states = decodeAck('SessionStates', await ca.query('pullSeAtts', a, encodeByName('SessionReq', { time: 0 })));
    expect(states.state).toEqual([]);
    const settings = decodeAck('PullUserSettingOutput', await ca.query('pullUS', a, encodeByName('PullUserSettingInput', { version: 0 })));
    expect(settings.items).toEqual([]);
    const report = await ca.query('reportsdk', a, encodeByName('ReportSDKInput', { sdkInfo: '{"engine":"4.4.2","imlib":"2.9.2"}' }));
    expect(report.status).toBe(0);
    expect(report.payload).toHaveLength(0);
  });
});

describe('conversation status', () => {
  const item = (type: number, value: string) => ({ sessionStateType: type, value });
  const setSeAtt = (client: RawClient, targetId: string, items: { sessionStateType: number; value: string }[]) =>
    client.query('setSeAtt', client.connack.userId ?? '', encodeByName('SessionStateModifyReq', { version: Date.now(), state: [{ type: 1, channelId: targetId, time: Date.now(), stateItem: items }] }));

  it('stores top/DND, answers with the version and makes the other devices pull it', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const a1 = await connect(a);
    const a2 = await connect(a);
    const ack = await setSeAtt(a1, b, [item(1, '1'), item(2, '1')]);
    const { version } = decodeAck('SessionStateModifyResp', ack);
    expect(version).toBeGreaterThan(0);
    const cmd = await a2.nextFrame<PublishFrame>(isPush('s_cmd'));
    expect(decodeByName('NotifyMsg', cmd.payload)).toMatchObject({ type: 3, time: version });
    expect(a1.frames.some((f) => f.kind === 'publish' && f.topic === 's_cmd')).toBe(false);

    const states = decodeAck('SessionStates', await a2.query('pullSeAtts', a, encodeByName('SessionReq', { time: 0 })));
    expect(states.version).toBe(version);
    expect(states.state).toHaveLength(1);
    const state = states.state[0]!;
    expect(state.channelId).toBe(b);
    expect(state.type).toBe(1);
    // The tags item (3) always comes too: E4 replaces a conversation's tags with what it pulls (issue #7).
    expect((state.stateItem ?? []).map((i) => [i.sessionStateType, i.value])).toEqual([[1, '1'], [2, '1'], [3, '[]']]);
    // Only the changed field moves; the cursor skips what was already pulled.
    const second = decodeAck('SessionStateModifyResp', await setSeAtt(a1, b, [item(2, '0')]));
    const delta = decodeAck('SessionStates', await a2.query('pullSeAtts', a, encodeByName('SessionReq', { time: version })));
    expect(delta.version).toBe(second.version);
    expect((delta.state[0]!.stateItem ?? []).map((i) => [i.sessionStateType, i.value])).toEqual([[1, '1'], [2, '0'], [3, '[]']]);
    const none = decodeAck('SessionStates', await a2.query('pullSeAtts', a, encodeByName('SessionReq', { time: second.version })));
    expect(none.state).toEqual([]);
    expect(none.version).toBe(second.version);
  });

  it('keeps engine 5.x notification levels: a 5.x device reads the level, a 2.x device / our SDK on (1, 2, 4, 5) or off (-1, 0)', async () => {
    const [a, b] = [uniqueUser('a'), uniqueUser('b')];
    const e5 = await connect(a, '5.38.0');
    const e5b = await connect(a, '5.38.0');
    const e4 = await connect(a);
    const silentOf = async (client: RawClient, since: number): Promise<string | undefined> => {
      const states = decodeAck('SessionStates', await client.query('pullSeAtts', a, encodeByName('SessionReq', { time: since })));
      return states.state.find((st) => st.channelId === b)?.stateItem?.find((i) => i.sessionStateType === 1)?.value;
    };
    for (const [level, onOff] of [[5, '1'], [-1, '0'], [2, '1'], [4, '1'], [0, '0'], [1, '1']] as const) {
      const { version } = decodeAck('SessionStateModifyResp', await setSeAtt(e5, b, [item(1, String(level))]));
      const cmd = await e5b.nextFrame<PublishFrame>((f) => isPush('s_cmd')(f) && decodeByName('NotifyMsg', (f as PublishFrame).payload).time === version);
      expect(decodeByName('NotifyMsg', cmd.payload).type).toBe(3);
      expect(await silentOf(e5b, version - 1)).toBe(String(level));
      expect(await silentOf(e4, version - 1)).toBe(onOff);
    }
    // A 2.x device's on/off are levels 1 and 0 (RongCloud: do-not-disturb on = @ messages only).
    const on = decodeAck('SessionStateModifyResp', await setSeAtt(e4, b, [item(1, '1')]));
    expect(await silentOf(e5, on.version - 1)).toBe('1');
    const off = decodeAck('SessionStateModifyResp', await setSeAtt(e4, b, [item(1, '0')]));
    expect(await silentOf(e5, off.version - 1)).toBe('0');
    // Not a level (3 is none of RongCloud's): refused, nothing changes.
    for (const value of ['3', '6', '-2', 'x', '1.5', '']) expect((await setSeAtt(e5, b, [item(1, value)])).status).toBe(33003);
    expect(await silentOf(e5, off.version - 1)).toBe('0');
    // The Server API reads and sets the same level.
    expect((await api.post('/conversation/notification/set.json', { requestId: a, conversationType: 1, targetId: b, unpushLevel: 2 })).status).toBe(200);
    expect((await api.post('/conversation/notification/get.json', { requestId: a, conversationType: 1, targetId: b })).body).toMatchObject({ isMuted: 1, unpushLevel: 2 });
    expect(await silentOf(e5, off.version)).toBe('2');
    expect(await silentOf(e4, off.version)).toBe('1');
  });

  it('rejects an empty or malformed change', async () => {
    const a = uniqueUser('a');
    const ca = await connect(a);
    expect((await setSeAtt(ca, 'b', [])).status).toBe(33003);
    expect((await setSeAtt(ca, '', [item(2, '1')])).status).toBe(33003);
  });
});

describe('Server API messages', () => {
  it('private publish stores one message per recipient and notifies them', async () => {
    const [a, b, c] = [uniqueUser('a'), uniqueUser('b'), uniqueUser('c')];
    const cb = await connect(b);
    const res = await api.post<{ code: number; messageUIDs: { userId: string; messageUID: string }[] }>('/message/private/publish.json', {
      fromUserId: a, toUserId: [b, c], objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'from api' }), isIncludeSender: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body.code).toBe(200);
    expect(res.body.messageUIDs.map((m) => m.userId)).toEqual([b, c]);
    await cb.nextFrame(isPush('s_ntf'));
    const page = await pull(cb);
    expect(page.list.map((m) => m.msgId)).toEqual([res.body.messageUIDs[0]!.messageUID]);
    const ca = await connect(a);
    const sendbox = await pull(ca);
    expect(sendbox.list.map((m) => m.direction)).toEqual([1, 1]);
  });

  it('system publish creates a SYSTEM conversation keyed by the sender', async () => {
    const [sys, b] = [uniqueUser('sys'), uniqueUser('b')];
    const res = await api.post('/message/system/publish.json', { fromUserId: sys, toUserId: b, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'notice' }) });
    expect(res.status).toBe(200);
    const cb = await connect(b);
    const page = await pull(cb);
    expect(page.list).toHaveLength(1);
    expect(page.list[0]!.type).toBe(6);
    expect(page.list[0]!.fromUserId).toBe(sys);
    expect((await history(cb, sys, 0, 20, 0, 'qrySMsg')).list).toHaveLength(1);
  });

  it('rejects missing parameters and invalid content with 1002', async () => {
    const missing = await api.post('/message/private/publish.json', { fromUserId: 'a', objectName: 'RC:TxtMsg', content: '{}' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 1002 });
    const notJson = await api.post('/message/private/publish.json', { fromUserId: 'a', toUserId: 'b', objectName: 'RC:TxtMsg', content: 'not json' });
    expect(notJson.body).toMatchObject({ code: 1002 });
  });
});
