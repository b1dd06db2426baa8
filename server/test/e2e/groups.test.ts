/**
 * Group messaging over the raw wire protocol (PROTOCOL.md §6.1 pgMsgP/pgMsgS, §8 sync, §9.3 status bits, §9.6
 * mentions, §9.7 directed messages, §9.10 receipts) against the real server process, groups managed through the
 * Server API like an App Server does.
 */
import { decodeByName, encodeByName, type PublishFrame, type QueryAckFrame, type RcMessageName } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';

const APP: TestApp = { key: 'grpwireapp', secret: 'grpwiresecret', options: { multiDevice: true, maxSendRate: 1000 } };
const OPEN_APP: TestApp = {
  key: 'grpopenapp',
  secret: 'grpopensecret',
  options: { multiDevice: true, maxSendRate: 1000, groupHistoryBeforeJoin: true, groupReceiptV2: true },
};

let server: RunningServer;
const apis = new Map<string, ServerApiClient>();
const clients: RawClient[] = [];
let seq = 0;
const unique = (name: string): string => `${name}${Date.now().toString(36)}${(seq++).toString(36)}`;
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array): unknown => JSON.parse(Buffer.from(b).toString('utf8'));
const api = (app: TestApp = APP): ServerApiClient => apis.get(app.key)!;

beforeAll(async () => {
  server = await startServer({ apps: [APP, OPEN_APP] });
  for (const app of [APP, OPEN_APP]) apis.set(app.key, serverApi(server.url, app.key, app.secret));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server.stop();
});

async function post(path: string, form: Record<string, string | number | readonly string[]>, app: TestApp = APP): Promise<void> {
  const response = await api(app).post(path, form);
  expect({ path, body: response.body }).toMatchObject({ body: { code: 200 } });
}

async function group(members: readonly string[], app: TestApp = APP): Promise<string> {
  const groupId = unique('g');
  await post('group/create', { userId: members, groupId, groupName: 'G' }, app);
  return groupId;
}

async function connect(userId: string, app: TestApp = APP): Promise<RawClient> {
  const res = await api(app).post<{ token: string }>('user/getToken', { userId, name: userId });
  const client = await connectRaw({ url: server.url, appKey: app.key, token: res.body.token });
  expect(client.connack.status).toBe(0);
  clients.push(client);
  return client;
}

function up(objectName: string, content: unknown, flags = 3, directed?: string[]): Uint8Array {
  return encodeByName('UpStreamMessage', {
    sessionId: flags,
    classname: objectName,
    content: utf8(JSON.stringify(content)),
    configFlag: 0,
    ...(directed ? { userId: directed } : {}),
  });
}

function decodeAck<N extends RcMessageName>(name: N, ack: QueryAckFrame) {
  expect(ack.status).toBe(0);
  return decodeByName(name, ack.payload);
}

async function pull(client: RawClient) {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }));
  return decodeAck('DownStreamMessages', ack).list;
}

async function history(client: RawClient, groupId: string, count = 20) {
  const ack = await client.query('qryGMsg', client.connack.userId ?? '', encodeByName('HistoryMsgInput', { targetId: groupId, time: 0, count, order: 0 }));
  return decodeAck('HistoryMsgOuput', ack);
}

const sentTimeOf = (ack: { date?: number; millisecond?: number }): number => (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
const isPush = (topic: string) => (f: { kind: string }) => f.kind === 'publish' && (f as PublishFrame).topic === topic && !(f as PublishFrame).dup;
const contents = (list: readonly { content: Uint8Array }[]): unknown[] => list.map((m) => (text(m.content) as { content?: unknown }).content);

/** Lets in-flight pushes land, then checks that `client` got no s_msg (of `objectName`, when given). */
async function expectNoStatusPush(client: RawClient, objectName?: string): Promise<void> {
  await client.ping();
  await new Promise((r) => setTimeout(r, 150));
  const pushed = client.frames
    .filter((f): f is PublishFrame => f.kind === 'publish' && f.topic === 's_msg')
    .map((f) => decodeByName('DownStreamMessage', f.payload).classname);
  expect(pushed.filter((name) => objectName === undefined || name === objectName)).toEqual([]);
}

describe('group messages', () => {
  it('reach online members by s_ntf + pull, offline members by sync, the sender\'s other devices by echo, and history', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const g = await group([a, b, c]);
    const a1 = await connect(a);
    const a2 = await connect(a);
    const cb = await connect(b);
    const ack = await a1.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'hello group' }));
    expect(ack.status).toBe(0);
    const sentTime = sentTimeOf(ack);

    const ntf = await cb.nextFrame<PublishFrame>(isPush('s_ntf'));
    expect(decodeByName('NotifyMsg', ntf.payload)).toMatchObject({ type: 1, time: sentTime });
    const [atB] = await pull(cb);
    expect(atB).toMatchObject({ fromUserId: a, type: 3, groupId: g, classname: 'RC:TxtMsg', dataTime: sentTime, msgId: ack.messageUId, status: 48 });
    expect(atB!.direction).not.toBe(1);

    const echo = await a2.nextFrame<PublishFrame>((f) => f.kind === 'publish' && f.dup);
    expect([echo.topic, echo.targetId]).toEqual(['pgMsgP', g]);
    const echoAck = await a2.nextFrame((f) => f.kind === 'puback' && f.messageId === echo.messageId);
    expect(echoAck.kind === 'puback' && echoAck.messageUId).toBe(ack.messageUId);
    expect((await pull(a2)).map((m) => [m.msgId, m.direction, m.groupId, m.fromUserId])).toEqual([[ack.messageUId, 1, g, a]]);
    expect(a1.frames.some((f) => f.kind === 'publish' && f.dup)).toBe(false);

    // c was offline: the message waits in its inbox.
    const cc = await connect(c);
    expect((await pull(cc)).map((m) => m.msgId)).toEqual([ack.messageUId]);
    for (const client of [a1, cb, cc]) expect((await history(client, g)).list.map((m) => m.msgId)).toEqual([ack.messageUId]);

    // Conversation list entry: RelationInfo.type 3, userId = group id.
    const relations = decodeAck('RelationsOutput', await cc.query('qryRelationR', c, encodeByName('RelationQryInput', { type: 1, count: 10, startTime: 0, order: 0 })));
    expect(relations.info.map((r) => [r.type, r.userId, r.msg?.msgId])).toEqual([[3, g, ack.messageUId]]);

    // cleanGMsg clears the caller's view only.
    expect((await cb.query('cleanGMsg', b, encodeByName('CleanHisMsgInput', { targetId: g, dataTime: 0 }))).status).toBe(0);
    expect((await history(cb, g)).list).toEqual([]);
    expect((await history(cc, g)).list).toHaveLength(1);
  });

  it('are refused with 22406 for non-members and former members', async () => {
    const [a, b, outsider] = [unique('a'), unique('b'), unique('o')];
    const g = await group([a, b]);
    const co = await connect(outsider);
    expect((await co.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'x' }))).status).toBe(22406);
    expect((await co.publish('pgMsgP', unique('nogroup'), up('RC:TxtMsg', { content: 'x' }))).status).toBe(22406);
    const ca = await connect(a);
    await post('group/quit', { userId: a, groupId: g });
    expect((await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'x' }))).status).toBe(22406);
    await post('group/join', { userId: a, groupId: g });
    expect((await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'back' }))).status).toBe(0);
    await post('group/dismiss', { userId: a, groupId: g });
    expect((await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'x' }))).status).toBe(22406);
    // Nothing refused was stored.
    expect(contents(await pull(await connect(b)))).toEqual(['back']);
  });

  it('are refused with 22408 for gagged members and in banned groups unless whitelisted', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const g = await group([a, b, c]);
    const [ca, cb] = [await connect(a), await connect(b)];
    const send = async (client: RawClient, body: string): Promise<number> => (await client.publish('pgMsgP', g, up('RC:TxtMsg', { content: body }))).status ?? -1;

    await post('group/user/gag/add', { userId: a, groupId: g, minute: 10 });
    expect(await send(ca, 'gagged')).toBe(22408);
    expect(await send(cb, 'b fine')).toBe(0);
    await post('group/user/gag/rollback', { userId: a, groupId: g });
    expect(await send(ca, 'ungagged')).toBe(0);

    await post('group/user/gag/add', { userId: a, minute: 10 });
    expect(await send(ca, 'gagged everywhere')).toBe(22408);
    await post('group/user/gag/rollback', { userId: a });

    await post('group/ban/add', { groupId: g });
    await post('group/user/ban/whitelist/add', { groupId: g, userId: b });
    expect(await send(ca, 'banned')).toBe(22408);
    expect(await send(cb, 'whitelisted')).toBe(0);
    await post('group/user/gag/add', { userId: b, groupId: g, minute: 1 });
    expect(await send(cb, 'whitelisted but gagged')).toBe(22408);
    await post('group/ban/rollback', { groupId: g });
    expect(await send(ca, 'unbanned')).toBe(0);

    expect(contents(await pull(await connect(c)))).toEqual(['b fine', 'ungagged', 'whitelisted', 'unbanned']);
  });

  it('status messages (pgMsgS) reach online members only, are never stored nor echoed, and respect mutes', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const g = await group([a, b, c]);
    const a1 = await connect(a);
    const a2 = await connect(a);
    const cb = await connect(b);
    const status = (client: RawClient): void =>
      client.send({ kind: 'publish', dup: false, qos: 1, retain: false, topic: 'pgMsgS', targetId: g, messageId: 0, payload: up('RC:TypSts', { typingContentType: 'RC:TxtMsg' }, 0) });
    status(a1);
    const push = await cb.nextFrame<PublishFrame>(isPush('s_msg'));
    expect(push.targetId).toBe(a);
    expect(decodeByName('DownStreamMessage', push.payload)).toMatchObject({ classname: 'RC:TypSts', type: 3, groupId: g, fromUserId: a });
    await a1.ping();
    expect(a1.frames.some((f) => f.kind === 'puback')).toBe(false);
    await expectNoStatusPush(a2);
    expect(a2.frames.some((f) => f.kind === 'publish' && f.dup)).toBe(false);
    expect(await pull(cb)).toEqual([]);
    expect(await pull(await connect(c))).toEqual([]);

    await post('group/user/gag/add', { userId: b, groupId: g, minute: 1 });
    status(cb);
    await expectNoStatusPush(a1);
  });

  it('keep members to what was sent while they were members', async () => {
    const [a, b, late] = [unique('a'), unique('b'), unique('late')];
    const g = await group([a, b]);
    const ca = await connect(a);
    await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'before' }));
    await post('group/join', { userId: late, groupId: g });
    await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'after' }));
    const cl = await connect(late);
    expect(contents(await pull(cl))).toEqual(['after']);
    expect(contents((await history(cl, g)).list)).toEqual(['after']);
    await post('group/quit', { userId: b, groupId: g });
    await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'gone' }));
    expect(contents(await pull(await connect(b)))).toEqual(['before', 'after']);
  });

  it('with groupHistoryBeforeJoin, members also read earlier undirected messages in history (not in sync)', async () => {
    const [a, b, late] = [unique('a'), unique('b'), unique('late')];
    const g = await group([a, b], OPEN_APP);
    const ca = await connect(a, OPEN_APP);
    for (const body of ['m1', 'm2', 'm3']) await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: body }));
    await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'only b' }, 3, [b]));
    await post('group/join', { userId: late, groupId: g }, OPEN_APP);
    await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'm4' }));
    const cl = await connect(late, OPEN_APP);
    expect(contents(await pull(cl))).toEqual(['m4']);
    const page = await history(cl, g, 3);
    expect(contents(page.list)).toEqual(['m4', 'm3', 'm2']);
    expect(page.hasMsg).toBe(1);
    const rest = decodeAck('HistoryMsgOuput', await cl.query('qryGMsg', late, encodeByName('HistoryMsgInput', { targetId: g, time: page.syncTime, count: 10, order: 0 })));
    expect(contents(rest.list)).toEqual(['m1']);
    expect(rest.hasMsg).toBe(0);
    // Non-members read nothing of it.
    expect((await history(await connect(unique('x'), OPEN_APP), g)).list).toEqual([]);
  });
});

describe('mentions, directed messages and receipts', () => {
  it('set status bit 64 for @ALL recipients and @PART listed recipients only, never for the sender', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const g = await group([a, b, c]);
    const ca = await connect(a);
    await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: '@all', mentionedInfo: { type: 1, userIdList: [] } }, 7));
    await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: '@c', mentionedInfo: { type: 2, userIdList: [c, a] } }, 7));
    await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'no flag', mentionedInfo: { type: 1, userIdList: [] } }, 3));
    const bits = (list: readonly { status: number }[]): number[] => list.map((m) => m.status & 64);
    const atB = await pull(await connect(b));
    const atC = await pull(await connect(c));
    expect(contents(atB)).toEqual(['@all', '@c', 'no flag']);
    expect(bits(atB)).toEqual([64, 0, 0]);
    expect(bits(atC)).toEqual([64, 64, 0]);
    expect(atC[0]!.status).toBe(48 | 64);
    expect(bits(await pull(await connect(a)))).toEqual([0, 0, 0]);
    // A mention in a private chat never flags the recipient.
    await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'private @', mentionedInfo: { type: 1 } }, 7));
    const privateAtB = (await pull(await connect(b))).find((m) => m.type === 1);
    expect(privateAtB!.status & 64).toBe(0);
  });

  it('directed messages reach only the listed members, in sync and history alike', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const g = await group([a, b, c]);
    const a1 = await connect(a);
    const a2 = await connect(a);
    const cb = await connect(b);
    const cc = await connect(c);
    const ack = await a1.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'for b' }, 3, [b, 'stranger']));
    expect(ack.status).toBe(0);
    expect(contents(await pull(cb))).toEqual(['for b']);
    expect(await pull(cc)).toEqual([]);
    expect((await history(cc, g)).list).toEqual([]);
    expect(contents((await history(cb, g)).list)).toEqual(['for b']);
    expect(contents((await history(a2, g)).list)).toEqual(['for b']);

    // RC:SRSMsg directed to the sender itself: only its other devices hear of it.
    const srs = await a1.publish('pgMsgP', g, up('RC:SRSMsg', { lastMessageSendTime: sentTimeOf(ack) }, 0, [a]));
    expect(srs.status).toBe(0);
    const echo = await a2.nextFrame<PublishFrame>((f) => f.kind === 'publish' && f.dup && f.topic === 'pgMsgP');
    expect(echo.targetId).toBe(g);
    await expectNoStatusPush(cb);
    await expectNoStatusPush(cc);
  });

  it('group read receipt request and directed responses are relayed to online members (v1)', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const g = await group([a, b, c]);
    const [ca, cb, cc] = [await connect(a), await connect(b), await connect(c)];
    const sent = await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'read me' }));
    const uid = sent.messageUId ?? '';
    await ca.publish('pgMsgP', g, up('RC:RRReqMsg', { messageUId: uid }, 0));
    for (const client of [cb, cc]) {
      const push = await client.nextFrame<PublishFrame>(isPush('s_msg'));
      const m = decodeByName('DownStreamMessage', push.payload);
      expect([m.classname, m.groupId, text(m.content)]).toEqual(['RC:RRReqMsg', g, { messageUId: uid }]);
    }
    for (const client of [cb, cc]) {
      const ack = await client.publish('pgMsgP', g, up('RC:RRRspMsg', { receiptMessageDic: { [a]: [uid] } }, 0, [a]));
      expect(ack.status).toBe(0);
    }
    const responses = [await ca.nextFrame<PublishFrame>(isPush('s_msg')), await ca.nextFrame<PublishFrame>(isPush('s_msg'))]
      .map((f) => decodeByName('DownStreamMessage', f.payload));
    expect(responses.map((m) => [m.classname, m.fromUserId]).sort()).toEqual([['RC:RRRspMsg', b], ['RC:RRRspMsg', c]].sort());
    expect(responses.every((m) => JSON.stringify(text(m.content)) === JSON.stringify({ receiptMessageDic: { [a]: [uid] } }))).toBe(true);
    // The responses were directed to a: the other responder did not get them.
    await expectNoStatusPush(cb, 'RC:RRRspMsg');
    // Nothing of it is stored.
    expect(contents(await pull(cc))).toEqual(['read me']);
  });

  it('read receipts v2 (rrMsg / rrList) keep who read what, with navi grpRRVer from the app option', async () => {
    const [a, b, c, outsider] = [unique('a'), unique('b'), unique('c'), unique('o')];
    const g = await group([a, b, c], OPEN_APP);
    for (const [app, expected] of [[OPEN_APP, 1], [APP, 0]] as const) {
      const { body } = await api(app).post<{ token: string }>('user/getToken', { userId: a });
      const navi = await (await fetch(`${server.url}/navi.js?appId=${app.key}&token=${encodeURIComponent(body.token)}`)).text();
      expect(navi).toContain(`"grpRRVer":${expected}`);
    }
    const [ca, cb, cc] = [await connect(a, OPEN_APP), await connect(b, OPEN_APP), await connect(c, OPEN_APP)];
    const uid = (await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'v2' }))).messageUId ?? '';
    const read = (client: RawClient): Promise<QueryAckFrame> => client.query('rrMsg', g, encodeByName('GrpReadReceiptMsg', { msgId: [uid] }));
    expect((await read(cb)).status).toBe(0);
    expect((await read(cc)).status).toBe(0);
    expect((await read(cb)).status).toBe(0);
    const readers = decodeAck('GrpReadReceiptQryResp', await ca.query('rrList', g, encodeByName('GrpReadReceiptQryReq', { msgId: [uid] })));
    expect(readers.totalMemberNum).toBe(3);
    expect(readers.list.map((r) => r.userId)).toEqual([b, c]);
    expect(readers.list[0]!.readTime).toBeGreaterThan(0);
    const co = await connect(outsider, OPEN_APP);
    expect((await read(co)).status).toBe(22406);
    expect((await co.query('rrList', g, encodeByName('GrpReadReceiptQryReq', { msgId: [uid] }))).status).toBe(22406);
    expect((await cb.query('rrMsg', g, encodeByName('GrpReadReceiptMsg', { msgId: [] }))).status).toBe(33003);
  });

  it('read receipts v2 count only recipients: rrMsg skips messages the caller never received, rrList answers sender and recipients only', async () => {
    const [a, b, c, d] = [unique('a'), unique('b'), unique('c'), unique('d')];
    const g = await group([a, b, c], OPEN_APP);
    const [ca, cb, cc] = [await connect(a, OPEN_APP), await connect(b, OPEN_APP), await connect(c, OPEN_APP)];
    const send = async (content: string, directed?: string[]): Promise<string> =>
      (await ca.publish('pgMsgP', g, up('RC:TxtMsg', { content }, 3, directed))).messageUId ?? '';
    const forB = await send('for b only', [b]);
    const before = await send('before d joined');
    await post('group/join', { userId: d, groupId: g, groupName: 'G' }, OPEN_APP);
    const cd = await connect(d, OPEN_APP);
    const after = await send('after d joined');
    // d sees `before` in history (groupHistoryBeforeJoin) but never received it.
    expect(contents((await history(cd, g)).list)).toContain('before d joined');

    const read = async (client: RawClient, msgId: string[]): Promise<number> => (await client.query('rrMsg', g, encodeByName('GrpReadReceiptMsg', { msgId }))).status;
    // Batches mixing uids the caller received with others succeed; only the received ones are recorded.
    expect(await read(cc, [forB, before])).toBe(0);
    expect(await read(cd, [before, after])).toBe(0);
    expect(await read(cb, [forB, 'AAAA-AAAA-AAAA-AAAA'])).toBe(0);
    expect(await read(ca, [before])).toBe(0); // its own message: not a read

    const list = (client: RawClient, uid: string): Promise<QueryAckFrame> => client.query('rrList', g, encodeByName('GrpReadReceiptQryReq', { msgId: [uid] }));
    const readers = async (client: RawClient, uid: string): Promise<string[]> => decodeAck('GrpReadReceiptQryResp', await list(client, uid)).list.map((r) => r.userId);
    expect(await readers(ca, forB)).toEqual([b]);
    expect(await readers(ca, before)).toEqual([c]);
    expect(await readers(ca, after)).toEqual([d]);
    // A recipient may ask too; a member that did not receive the message may not (33003, as V4/V5 answer).
    expect(await readers(cb, forB)).toEqual([b]);
    expect((await list(cc, forB)).status).toBe(33003);
    expect((await list(cd, before)).status).toBe(33003);
    expect((await list(cb, 'AAAA-AAAA-AAAA-AAAA')).status).toBe(33003);
  });

  it('recall through recallMsg reaches every member that has the message and removes it from history', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const g = await group([a, b, c]);
    const a1 = await connect(a);
    const sent = await a1.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'oops' }));
    const command = (): Uint8Array => up('RC:RcCmd', { conversationType: 3, targetId: g, messageUId: sent.messageUId, sentTime: sentTimeOf(sent) }, 0);
    const cb = await connect(b);
    expect((await cb.publish('recallMsg', b, command())).status).toBe(25101);
    expect((await a1.publish('recallMsg', a, command())).status).toBe(0);
    for (const userId of [b, c]) {
      const client = await connect(userId);
      const list = await pull(client);
      expect(list.map((m) => m.classname)).toEqual(['RC:TxtMsg', 'RC:RcCmd']);
      expect(list[1]).toMatchObject({ type: 3, groupId: g, fromUserId: a });
      expect((await history(client, g)).list.map((m) => m.classname)).toEqual(['RC:RcCmd']);
    }
  });
});
