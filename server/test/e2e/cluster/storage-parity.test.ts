/**
 * Storage parity: the same Server API and wire sequences against a single-node SQLite server and a 2-node
 * PostgreSQL + Redis cluster answer the same and deliver the same payloads (never a 500). Text values follow one
 * rule on both back ends (server/src/text-values.ts): a raw U+0000 in a string parameter or a client's string field
 * is refused (Server API 1002 naming the parameter, wire 33003 / chatroom 23412) before PostgreSQL TEXT could refuse
 * it; lone surrogates are stored as one U+FFFD. Content bytes keep their bytes; a JSON `\u0000` escape is text.
 */
import { encodeByName, decodeByName, type PublishFrame } from '../../../../src/internal';
import type { RawClient } from '../../../../test/support/raw-client';
import { serverApi, type ServerApiClient, type ServerApiResponse } from '../../../../test/support/server-api-client';
import { startSingleServer, type RunningServer } from '../../../../test/support/server-launcher';
import { CLUSTER_APP, clusterAvailable, skipClusterSuite, startCluster, type Cluster } from './cluster-support';
import { connectUser, isPush, text, uniqueId, utf8 } from '../e2e-support';
import { joinOk } from '../chatroom-support';

interface Target {
  readonly name: 'sqlite' | 'pg';
  readonly api: ServerApiClient;
  /** A second node's API (the same server on SQLite). */
  readonly api2: ServerApiClient;
  readonly url: string;
  readonly url2: string;
}

type Answer = { status: number; code: unknown; body: Record<string, unknown> };

function answer(r: ServerApiResponse): Answer {
  return { status: r.status, code: r.body.code, body: r.body };
}

const NUL = 'a\u0000b';

if (!clusterAvailable()) {
  skipClusterSuite('storage parity');
} else {
  let sqlite: RunningServer;
  let cluster: Cluster;
  let targets: Target[] = [];
  const clients: RawClient[] = [];

  beforeAll(async () => {
    sqlite = await startSingleServer({ apps: [CLUSTER_APP] });
    cluster = await startCluster({ nodes: 2, database: 'storage_parity' });
    targets = [
      { name: 'sqlite', api: serverApi(sqlite.url, CLUSTER_APP.key, CLUSTER_APP.secret), api2: serverApi(sqlite.url, CLUSTER_APP.key, CLUSTER_APP.secret), url: sqlite.url, url2: sqlite.url },
      { name: 'pg', api: cluster.api(0), api2: cluster.api(1), url: cluster.node(0).url, url2: cluster.node(1).url },
    ];
  }, 240_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await sqlite?.stop();
    await cluster?.stop();
  }, 60_000);

  /** Runs `probe` on both back ends (same ids), returns [sqlite, pg]. */
  async function onBoth<T>(probe: (t: Target, id: (name: string) => string) => Promise<T>): Promise<[T, T]> {
    const prefix = uniqueId('sp');
    const id = (name: string): string => `${prefix}${name}`;
    const out: T[] = [];
    for (const t of targets) out.push(await probe(t, id));
    return [out[0] as T, out[1] as T];
  }

  /** Strips fields that legitimately differ (times, uids, tokens). */
  function scrub(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(scrub);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (/^(token|createTime|time|lastSetTime|msgTime|messageUID|msgUID|messageUIDs|requestId|startTime|blockEndTime|dateTime|timestamp)$/i.test(k)) continue;
        out[k] = scrub(v);
      }
      return out;
    }
    return value;
  }

  function expectParity(pair: [unknown, unknown]): void {
    const [s, p] = pair;
    expect(scrub(p)).toEqual(scrub(s));
  }

  function no500(pair: [Answer, Answer] | Answer[][]): void {
    const flat = (pair as unknown[]).flat() as Answer[];
    if (process.env.PARITY_DEBUG !== undefined) console.log(JSON.stringify((pair as unknown[]).map((side) => (side as Answer[]).map((a) => [a.status, a.code, JSON.stringify(a.body).slice(0, 200)]))));
    for (const a of flat) expect({ status: a.status, code: a.code }).not.toEqual(expect.objectContaining({ status: 500 }));
  }

  /** Both back ends refused `answer` as a parameter error naming `parameter`. */
  function refusedOnBoth(pair: [Answer[], Answer[]], index: number, parameter: string): void {
    for (const side of pair) expect(side[index]).toEqual({ status: 400, code: 1002, body: { code: 1002, errorMessage: `${parameter} must not contain U+0000` } });
  }

  // ---------------------------------------------------------------- U+0000 in Server API string parameters

  it('user/getToken name with U+0000 is refused with 1002 on both back ends, nothing stored', async () => {
    const pair = await onBoth(async (t, id) => {
      const reg = answer(await t.api.post('user/getToken', { userId: id('u'), name: NUL, portraitUri: 'http://x/p.png' }));
      const info = answer(await t.api.post('user/info', { userId: id('u') }));
      return [reg, info];
    });
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'name');
    for (const [, info] of pair) expect(info?.body.userName).toBeUndefined();
  }, 60_000);

  it('group/create groupName with U+0000 is refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      await t.api.post('user/getToken', { userId: id('m'), name: 'm', portraitUri: 'p' });
      const create = answer(await t.api.post('group/create', { userId: id('m'), groupId: id('g'), groupName: NUL }));
      const groups = answer(await t.api.post('user/group/query', { userId: id('m') }));
      return [create, groups];
    });
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'groupName');
    for (const [, groups] of pair) expect(groups?.body.groups).toEqual([]);
  }, 60_000);

  it('message/private/publish pushContent / pushData with U+0000 are refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const r = answer(await t.api.post('message/private/publish', { fromUserId: id('a'), toUserId: id('b'), objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x' }), pushContent: NUL, pushData: NUL }));
      return [r];
    });
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'pushContent');
  }, 60_000);

  it('message/private/publish objectName with U+0000 is refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => [answer(await t.api.post('message/private/publish', { fromUserId: id('a'), toUserId: id('b'), objectName: 'X:a\u0000b', content: JSON.stringify({ content: 'x' }) }))]);
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'objectName');
  }, 60_000);

  it('message/private/publish extraContent (expansion) with U+0000 answers the same on both back ends', async () => {
    const pair = await onBoth(async (t, id) => [answer(await t.api.post('message/private/publish', { fromUserId: id('a'), toUserId: id('b'), objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x' }), expansion: 'true', extraContent: JSON.stringify({ k: NUL }) }))]);
    no500(pair);
    expectParity(pair);
  }, 60_000);

  it('chatroom/entry/set value with U+0000 is refused with 1002 on both back ends, no entry stored', async () => {
    const pair = await onBoth(async (t, id) => {
      await t.api.post('chatroom/create', { [`chatroom[${id('r')}]`]: 'room' });
      const set = answer(await t.api.post('chatroom/entry/set', { chatroomId: id('r'), userId: id('u'), key: 'k1', value: NUL, autoDelete: 0 }));
      const q = answer(await t.api.post('chatroom/entry/query', { chatroomId: id('r') }));
      return [set, q];
    });
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'value');
    for (const [, q] of pair) expect(q?.body.keys).toEqual([]);
  }, 60_000);

  it('user/tag/set tag (JSON body) with U+0000 is refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const set = answer(await t.api.postJson('user/tag/set', { userId: id('u'), tags: [NUL] }));
      const q = answer(await t.api.post('user/tags/get', { userIds: id('u') }));
      return [set, q];
    });
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'tags[0]');
  }, 60_000);

  it('user/remarks/set remark with an escaped U+0000 in its JSON text is refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const set = answer(await t.api.post('user/remarks/set', { userId: id('u'), remarks: JSON.stringify([{ id: id('v'), remark: NUL }]) }));
      const q = answer(await t.api.post('user/remarks/get', { userId: id('u') }));
      return [set, q];
    });
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'remarks[0].remark');
    for (const [, q] of pair) expect(q?.body.total).toBe(0);
  }, 60_000);

  it('sensitiveword/add with U+0000 is refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const add = answer(await t.api.post('sensitiveword/add', { word: `${id('w')}\u0000`, replaceWord: 'r\u0000' }));
      const list = answer(await t.api.post('sensitiveword/list', { type: 2 }));
      const mine = ((list.body.words as { word: string }[] | undefined) ?? []).filter((w) => w.word.startsWith(id('w')));
      await t.api.post('sensitiveword/delete', { word: `${id('w')}\u0000` });
      return [add, { status: list.status, code: list.code, mine }];
    });
    no500(pair as unknown as Answer[][]);
    expectParity(pair);
    for (const [add, list] of pair) {
      expect(add).toEqual({ status: 400, code: 1002, body: { code: 1002, errorMessage: 'word must not contain U+0000' } });
      expect(list).toEqual(expect.objectContaining({ mine: [] }));
    }
  }, 60_000);

  it('conversation/notification/set|get targetId with U+0000 are refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const set = answer(await t.api.post('conversation/notification/set', { requestId: id('u'), conversationType: 1, targetId: NUL, isMuted: 1 }));
      const get = answer(await t.api.post('conversation/notification/get', { requestId: id('u'), conversationType: 1, targetId: NUL }));
      return [set, get];
    });
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'targetId');
    refusedOnBoth(pair, 1, 'targetId');
  }, 60_000);

  it('v3/message/private/query targetId with U+0000 is refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const now = Date.now();
      return [answer(await t.api.postJson('v3/message/private/query', { userId: id('u'), targetId: NUL, startTime: now - 60_000, endTime: now, pageSize: 10 }))];
    });
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'targetId');
  }, 60_000);

  it('conversation/message/history/clean targetId with U+0000 is refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => [answer(await t.api.post('conversation/message/history/clean', { conversationType: 1, fromUserId: id('u'), targetId: NUL, msgTimestamp: Date.now() }))]);
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'targetId');
  }, 60_000);

  it('message/recall targetId / extra with U+0000 answers the same on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const sent = await t.api.post<{ code: number; messageUIDs: { messageUID: string }[] }>('message/private/publish', { fromUserId: id('a'), toUserId: id('b'), objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x' }) });
      const uid = sent.body.messageUIDs?.[0]?.messageUID ?? '';
      const r1 = answer(await t.api.post('message/recall', { fromUserId: id('a'), conversationType: 1, targetId: NUL, messageUID: uid, sentTime: Date.now() }));
      const r2 = answer(await t.api.post('message/recall', { fromUserId: id('a'), conversationType: 1, targetId: id('b'), messageUID: uid, sentTime: Date.now(), extra: NUL }));
      return [r1, r2];
    });
    no500(pair);
    expectParity(pair);
  }, 60_000);

  it('message/expansion/set value with U+0000 answers the same on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const sent = await t.api.post<{ code: number; messageUIDs: { messageUID: string }[] }>('message/private/publish', { fromUserId: id('a'), toUserId: id('b'), objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x' }), expansion: 'true' });
      const uid = sent.body.messageUIDs?.[0]?.messageUID ?? '';
      const set = answer(await t.api.post('message/expansion/set', { msgUID: uid, userId: id('a'), conversationType: 1, targetId: id('b'), extraKeyVal: JSON.stringify({ k: NUL }) }));
      const q = answer(await t.api.post('message/expansion/query', { msgUID: uid }));
      return [set, q];
    });
    no500(pair);
    expectParity(pair);
  }, 60_000);

  it('chatroom/user/gag/add extra with U+0000 answers the same on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      await t.api.post('chatroom/create', { [`chatroom[${id('r')}]`]: 'room' });
      return [answer(await t.api.post('chatroom/user/gag/add', { chatroomId: id('r'), userId: id('u'), minute: 5, needNotify: 'true', extra: NUL }))];
    });
    no500(pair);
    expectParity(pair);
  }, 60_000);

  it('chatroom/create name with U+0000 is refused with 1002 on both back ends, no room created', async () => {
    const pair = await onBoth(async (t, id) => {
      const c = answer(await t.api.post('chatroom/create', { [`chatroom[${id('r')}]`]: NUL }));
      const q = answer(await t.api.post('chatroom/query', { chatroomId: id('r') }));
      return [c, q];
    });
    no500(pair);
    expectParity(pair);
    for (const [c] of pair) expect(c).toEqual({ status: 400, code: 1002, body: { code: 1002, errorMessage: expect.stringMatching(/^chatroom\[\w+\] must not contain U\+0000$/) } });
    for (const [, q] of pair) expect(q?.body.chatRooms ?? []).toEqual([]);
  }, 60_000);

  it('group/refresh, user/refresh and group/sync with U+0000 are refused with 1002 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      await t.api.post('user/getToken', { userId: id('m'), name: 'm', portraitUri: 'p' });
      await t.api.post('group/create', { userId: id('m'), groupId: id('g'), groupName: 'g' });
      const refresh = answer(await t.api.post('group/refresh', { groupId: id('g'), groupName: NUL }));
      const urefresh = answer(await t.api.post('user/refresh', { userId: id('m'), portraitUri: NUL }));
      const sync = answer(await t.api.post('group/sync', { userId: id('m'), [`group[${id('g2')}]`]: NUL }));
      return [refresh, urefresh, sync];
    });
    no500(pair);
    expectParity(pair);
    refusedOnBoth(pair, 0, 'groupName');
    refusedOnBoth(pair, 1, 'portraitUri');
    for (const side of pair) expect(side[2]?.body.errorMessage).toMatch(/^group\[\w+\] must not contain U\+0000$/);
  }, 60_000);

  // ---------------------------------------------------------------- wire: client-sent NUL text fields

  it('a client message whose pushText / appData carry U+0000 is refused with 33003 on both back ends, the next one goes through', async () => {
    const pair = await onBoth(async (t, id) => {
      const a = await connectUser(t.url, CLUSTER_APP.key, t.api, id('a'), clients);
      const b = await connectUser(t.url2, CLUSTER_APP.key, t.api2, id('b'), clients);
      const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: utf8(JSON.stringify({ content: 'nul' })), pushText: NUL, appData: NUL, configFlag: 0 });
      const ack = await a.publish('ppMsgP', id('b'), payload, { timeoutMs: 10_000 });
      let delivered = 'none';
      if (ack.status === 0) {
        const push = await b.nextFrame<PublishFrame>(isPush('s_ntf'), 8_000).catch(() => undefined);
        delivered = push === undefined ? 'missing' : 'yes';
      }
      // A normal message right after must still go through.
      const ok = await a.publish('ppMsgP', id('b'), encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: utf8(JSON.stringify({ content: 'after' })), configFlag: 0 }), { timeoutMs: 10_000 });
      return { status: ack.status, delivered, after: ok.status };
    });
    expectParity(pair);
    expect(pair[1]).toEqual({ status: 33003, delivered: 'none', after: 0 });
  }, 60_000);

  it('a client message whose classname carries U+0000 is refused with 33003 on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const a = await connectUser(t.url, CLUSTER_APP.key, t.api, id('a'), clients);
      const ack = await a.publish('ppMsgP', id('b'), encodeByName('UpStreamMessage', { sessionId: 3, classname: 'X:a\u0000b', content: utf8('{}'), configFlag: 0 }), { timeoutMs: 10_000 });
      const stored = await t.api.postJson<{ data?: unknown[] }>('v3/message/private/query', { userId: id('b'), targetId: id('a'), startTime: 0, endTime: Date.now() + 60_000 });
      return { status: ack.status, stored: (stored.body.data ?? []).length };
    });
    expectParity(pair);
    expect(pair[1]).toEqual({ status: 33003, stored: 0 });
  }, 60_000);

  it('a raw 0x00 byte inside a client message\'s content (bytes, not text) is stored and delivered byte-identical on both back ends', async () => {
    const bytes = new Uint8Array([...utf8('{"content":"a'), 0, ...utf8('b"}')]);
    const pair = await onBoth(async (t, id) => {
      const a = await connectUser(t.url, CLUSTER_APP.key, t.api, id('a'), clients);
      const b = await connectUser(t.url2, CLUSTER_APP.key, t.api2, id('b'), clients);
      const ack = await a.publish('ppMsgP', id('b'), encodeByName('UpStreamMessage', { sessionId: 3, classname: 'X:Bin', content: bytes, configFlag: 3 }), { timeoutMs: 10_000 });
      await b.nextFrame<PublishFrame>(isPush('s_ntf'), 8_000).catch(() => undefined);
      const pulled = await b.query('pullMsg', id('b'), encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
      const list = decodeByName('DownStreamMessages', pulled.payload).list.map((m) => [...m.content]);
      return { status: ack.status, list };
    });
    expectParity(pair);
    expect(pair[1]).toEqual({ status: 0, list: [[...bytes]] });
  }, 60_000);

  it('chatroom KV over the wire: U+0000 in a key, a value or the room id is refused with 23412 on both back ends, nothing stored', async () => {
    const pair = await onBoth(async (t, id) => {
      const a = await connectUser(t.url, CLUSTER_APP.key, t.api, id('a'), clients);
      await joinOk(a, id('r'));
      const value = await a.query('setKV', id('r'), encodeByName('SetChrmKV', { entry: { key: 'k1', value: NUL } }));
      const key = await a.query('setKV', id('r'), encodeByName('SetChrmKV', { entry: { key: NUL, value: 'v' } }));
      const room = await a.query('setKV', NUL, encodeByName('SetChrmKV', { entry: { key: 'k1', value: 'v' } }));
      const pulled = await a.query('pullKV', id('r'), encodeByName('QueryChrmKV', { timestamp: 0 }));
      const entries = pulled.status === 0 ? decodeByName('ChrmKVOutput', pulled.payload).entries.length : -1;
      return { statuses: [value.status, key.status, room.status], entries };
    });
    expectParity(pair);
    expect(pair[1]).toEqual({ statuses: [23412, 23412, 23412], entries: 0 });
  }, 60_000);

  it('a conversation tag named with U+0000 (addSeTag) is refused with 33003 on both back ends; a plain one is saved', async () => {
    const pair = await onBoth(async (t, id) => {
      const a = await connectUser(t.url, CLUSTER_APP.key, t.api, id('a'), clients);
      const bad = await a.query('addSeTag', id('a'), encodeByName('SessionTagAddInput', { version: 0, tags: [{ tagId: 'tag1', name: NUL }] }), { timeoutMs: 10_000 });
      const good = await a.query('addSeTag', id('a'), encodeByName('SessionTagAddInput', { version: 0, tags: [{ tagId: 'tag1', name: 'plain' }] }), { timeoutMs: 10_000 });
      return { bad: bad.status, good: good.status };
    });
    expectParity(pair);
    expect(pair[1]).toEqual({ bad: 33003, good: 0 });
  }, 60_000);

  // ---------------------------------------------------------------- lone surrogates, emoji, limits

  it('a user name with a lone surrogate (JSON body) reads back with one U+FFFD on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const reg = answer(await t.api.postJson('user/getToken', { userId: id('u'), name: 'x\ud800y', portraitUri: 'p' }));
      const info = answer(await t.api.post('user/info', { userId: id('u') }));
      return [reg, info];
    });
    no500(pair);
    expectParity(pair);
    for (const [reg, info] of pair) {
      expect(reg?.code).toBe(200);
      expect(info?.body.userName).toBe('x\ufffdy');
    }
  }, 60_000);

  it('64 four-byte emoji as group name and user name round-trip identically', async () => {
    const name = '😀'.repeat(64);
    const pair = await onBoth(async (t, id) => {
      const reg = answer(await t.api.post('user/getToken', { userId: id('u'), name, portraitUri: 'p' }));
      const info = answer(await t.api.post('user/info', { userId: id('u') }));
      const g = answer(await t.api.post('group/create', { userId: id('u'), groupId: id('g'), groupName: name }));
      const q = answer(await t.api.post('user/group/query', { userId: id('u') }));
      return [reg, info, g, q];
    });
    no500(pair);
    expectParity(pair);
    expect((pair[1][1] as Answer).body.userName).toBe(name);
  }, 60_000);

  it('user ids at the 64-byte limit and ids differing only by case are distinct on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const base = id('');
      const long = (base + 'x'.repeat(64)).slice(0, 64);
      const upper = long.slice(0, 63) + 'X';
      const r1 = answer(await t.api.post('user/getToken', { userId: long, name: 'lower', portraitUri: 'p' }));
      const r2 = answer(await t.api.post('user/getToken', { userId: upper, name: 'upper', portraitUri: 'p' }));
      const too = answer(await t.api.post('user/getToken', { userId: long + 'y', name: 'n', portraitUri: 'p' }));
      const i1 = answer(await t.api.post('user/info', { userId: long }));
      const i2 = answer(await t.api.post('user/info', { userId: upper }));
      await t.api.post('group/create', { userId: [long, upper], groupId: id('G'), groupName: 'g' });
      await t.api.post('group/create', { userId: [long], groupId: id('g'), groupName: 'g' });
      const m1 = answer(await t.api.post('group/user/query', { groupId: id('G') }));
      const m2 = answer(await t.api.post('group/user/query', { groupId: id('g') }));
      return [r1, r2, too, i1, i2, m1, m2];
    });
    no500(pair);
    expectParity(pair);
  }, 60_000);

  it('message content with escaped NUL, lone surrogate and emoji is delivered byte-identical on both back ends', async () => {
    const content = `{"content":"a\\u0000b\\ud800c😀","extra":"${'z'.repeat(100)}"}`;
    const pair = await onBoth(async (t, id) => {
      const b = await connectUser(t.url2, CLUSTER_APP.key, t.api2, id('b'), clients);
      const r = answer(await t.api.post('message/private/publish', { fromUserId: id('a'), toUserId: id('b'), objectName: 'RC:TxtMsg', content }));
      const push = await b.nextFrame<PublishFrame>(isPush('s_ntf'), 8_000).catch(() => undefined);
      const ack = await b.query('pullMsg', id('b'), encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
      const list = decodeByName('DownStreamMessages', ack.payload).list.map((m) => text(m.content));
      return { r, pushed: push !== undefined, list };
    });
    expectParity(pair);
    expect(pair[1].list).toEqual([content]);
  }, 60_000);

  // ---------------------------------------------------------------- numeric edges

  it('numeric edges (msgTimestamp / sentTime / time near 2^53, minute bounds) answer the same on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const out: Answer[] = [];
      out.push(answer(await t.api.post('conversation/message/history/clean', { conversationType: 1, fromUserId: id('u'), targetId: id('v'), msgTimestamp: Number.MAX_SAFE_INTEGER })));
      out.push(answer(await t.api.post('conversation/message/history/clean', { conversationType: 1, fromUserId: id('u'), targetId: id('v'), msgTimestamp: '9223372036854775808' })));
      out.push(answer(await t.api.post('user/token/expire', { userId: id('u'), time: Number.MAX_SAFE_INTEGER })));
      out.push(answer(await t.api.post('user/block', { userId: id('u'), minute: 43200 })));
      out.push(answer(await t.api.post('user/block', { userId: id('u'), minute: 43201 })));
      out.push(answer(await t.api.post('user/block', { userId: id('u'), minute: 2 ** 31 })));
      out.push(answer(await t.api.postJson('v3/message/private/query', { userId: id('u'), targetId: id('v'), startTime: 0, endTime: Number.MAX_SAFE_INTEGER, pageSize: 10 })));
      out.push(answer(await t.api.postJson('v3/message/private/query', { userId: id('u'), targetId: id('v'), startTime: -1, endTime: 2 ** 31, pageSize: 2 ** 31 })));
      out.push(answer(await t.api.post('chatroom/create_new', { chatroomId: id('r'), destroyType: 1, destroyTime: 2 ** 31 })));
      out.push(answer(await t.api.post('chatroom/user/query', { chatroomId: id('r'), count: 2 ** 31, order: 1 })));
      out.push(answer(await t.api.post('group/user/gag/add', { userId: id('u'), groupId: id('g'), minute: Number.MAX_SAFE_INTEGER })));
      out.push(answer(await t.api.post('message/recall', { fromUserId: id('u'), conversationType: 1, targetId: id('v'), messageUID: 'AAAA-AAAA-AAAA-AAAA', sentTime: Number.MAX_SAFE_INTEGER })));
      return out;
    });
    no500(pair);
    expectParity(pair);
  }, 60_000);

  // ---------------------------------------------------------------- ties and paging

  it('v3 history paging across a burst of messages sent together returns every message once, same shape on both', async () => {
    const N = 30;
    const pair = await onBoth(async (t, id) => {
      const start = Date.now() - 1000;
      const sent = await Promise.all(Array.from({ length: N }, (_, i) => (i % 2 === 0 ? t.api : t.api2).post('message/private/publish', { fromUserId: id('a'), toUserId: id('b'), objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `m${i}` }) })));
      const codes = [...new Set(sent.map((r) => r.body.code))];
      const seen: string[] = [];
      const times: number[] = [];
      let from = start;
      let include = true;
      for (let page = 0; page < 20; page++) {
        const r = await t.api.postJson<{ code: number; data?: { msgTime: number; content: string; messageUID: string }[] }>('v3/message/private/query', { userId: id('b'), targetId: id('a'), startTime: from, endTime: Date.now() + 60_000, pageSize: 7, includeStart: include });
        expect(r.body.code).toBe(200);
        const data = r.body.data ?? [];
        if (data.length === 0) break;
        for (const m of data) {
          seen.push(m.messageUID);
          times.push(m.msgTime);
        }
        from = data[data.length - 1]?.msgTime ?? from;
        include = false;
      }
      return { codes, count: seen.length, unique: new Set(seen).size, uniqueTimes: new Set(times).size };
    });
    expectParity(pair);
    expect(pair[1].unique).toBe(N);
    expect(pair[1].count).toBe(N);
  }, 90_000);

  // ---------------------------------------------------------------- concurrency across nodes

  it('concurrent group/join from both nodes (and quit/dismiss races) leaves the same membership as SQLite', async () => {
    const pair = await onBoth(async (t, id) => {
      await t.api.post('group/create', { userId: id('owner'), groupId: id('g'), groupName: 'g' });
      const users = Array.from({ length: 40 }, (_, i) => id(`u${i}`));
      await Promise.all(users.map((u, i) => (i % 2 === 0 ? t.api : t.api2).post('group/join', { userId: u, groupId: id('g'), groupName: 'g' })));
      await Promise.all(users.slice(0, 10).map((u, i) => (i % 2 === 0 ? t.api2 : t.api).post('group/quit', { userId: u, groupId: id('g') })));
      const members = await t.api.post<{ users: { id: string }[] }>('group/user/query', { groupId: id('g') });
      const ids = (members.body.users ?? []).map((u) => u.id).sort();
      // The same user joining twice concurrently on both nodes.
      const dup = await Promise.all([t.api.post('group/join', { userId: id('dup'), groupId: id('g') }), t.api2.post('group/join', { userId: id('dup'), groupId: id('g') })]);
      const after = await t.api.post<{ users: { id: string }[] }>('group/user/query', { groupId: id('g') });
      const racing = await Promise.all([t.api.post('group/dismiss', { userId: id('owner'), groupId: id('g') }), t.api2.post('group/join', { userId: id('late'), groupId: id('g') })]);
      const groupsOfLate = await t.api.post('user/group/query', { userId: id('late') });
      return { ids, n: ids.length, dup: dup.map((d) => d.body.code), after: (after.body.users ?? []).length, racing: racing.map((r) => r.status), lateGroups: groupsOfLate.body };
    });
    expectParity([{ ...pair[0], lateGroups: undefined }, { ...pair[1], lateGroups: undefined }]);
    expect(pair[1].n).toBe(31);
  }, 90_000);

  it('concurrent chatroom/entry/set of the same key from both nodes keeps exactly one value', async () => {
    const pair = await onBoth(async (t, id) => {
      await t.api.post('chatroom/create', { [`chatroom[${id('r')}]`]: 'room' });
      const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? t.api : t.api2).post('chatroom/entry/set', { chatroomId: id('r'), userId: id(`u${i}`), key: 'k', value: `v${i}`, autoDelete: 0 })));
      const q = await t.api.post<{ keys: { key: string }[] }>('chatroom/entry/query', { chatroomId: id('r') });
      return { codes: rs.map((r) => r.body.code).sort(), keys: (q.body.keys ?? []).length };
    });
    expectParity(pair);
  }, 60_000);

  // ---------------------------------------------------------------- list order (ties, insertion vs byte order)

  it('list endpoints return members / tags / words / keys in the same order on both back ends', async () => {
    const pair = await onBoth(async (t, id) => {
      const us = ['z', 'a', 'M', 'm', '_', '0'].map((x) => id(x));
      const out: Answer[] = [];
      out.push(answer(await t.api.post('group/create', { userId: us, groupId: id('g'), groupName: 'g' })));
      out.push(answer(await t.api.post('group/user/query', { groupId: id('g') })));
      out.push(answer(await t.api.postJson('user/tag/set', { userId: id('u'), tags: ['zz', 'Aa', 'aa', 'b'] })));
      out.push(answer(await t.api.post('user/tags/get', { userIds: id('u') })));
      out.push(answer(await t.api.post('user/blacklist/add', { userId: id('u'), blackUserId: us })));
      out.push(answer(await t.api.post('user/blacklist/query', { userId: id('u') })));
      out.push(answer(await t.api.post('user/whitelist/add', { userId: id('u'), whiteUserId: us })));
      out.push(answer(await t.api.post('user/whitelist/query', { userId: id('u') })));
      await t.api.post('chatroom/create', { [`chatroom[${id('r')}]`]: 'room' });
      for (const k of ['kz', 'ka', 'KA', 'k_']) await t.api.post('chatroom/entry/set', { chatroomId: id('r'), userId: id('u'), key: k, value: k, autoDelete: 0 });
      out.push(answer(await t.api.post('chatroom/entry/query', { chatroomId: id('r') })));
      out.push(answer(await t.api.post('chatroom/user/gag/add', { chatroomId: id('r'), userId: us, minute: 5 })));
      out.push(answer(await t.api.post('chatroom/user/gag/list', { chatroomId: id('r') })));
      out.push(answer(await t.api.post('group/user/gag/add', { groupId: id('g'), userId: us, minute: 5 })));
      out.push(answer(await t.api.post('group/user/gag/list', { groupId: id('g') })));
      out.push(answer(await t.api.post('chatroom/user/ban/whitelist/add', { chatroomId: id('r'), userId: us })));
      out.push(answer(await t.api.post('chatroom/user/ban/whitelist/query', { chatroomId: id('r') })));
      out.push(answer(await t.api.post('group/user/ban/whitelist/add', { groupId: id('g'), userId: us })));
      out.push(answer(await t.api.post('group/user/ban/whitelist/query', { groupId: id('g') })));
      out.push(answer(await t.api.post('user/remarks/set', { userId: id('u'), remarks: JSON.stringify(us.map((x) => ({ id: x, remark: x }))) })));
      out.push(answer(await t.api.post('user/remarks/get', { userId: id('u') })));
      return out;
    });
    no500(pair);
    expectParity(pair);
  }, 60_000);

  it('a U+0000 push text in a burst of client sends fails alone: every other message of the burst is acked and delivered', async () => {
    const pair = await onBoth(async (t, id) => {
      const senders = await Promise.all(Array.from({ length: 6 }, (_, i) => connectUser(i % 2 === 0 ? t.url : t.url2, CLUSTER_APP.key, i % 2 === 0 ? t.api : t.api2, id(`s${i}`), clients)));
      const sends = senders.map((c, i) => c.publish('ppMsgP', id('rcv'), encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: utf8(JSON.stringify({ content: `m${i}` })), ...(i === 0 ? { pushText: NUL } : {}), configFlag: 0 }), { timeoutMs: 10_000 }));
      const acks = await Promise.all(sends);
      const r = await t.api.postJson<{ data?: { content: string }[] }>('v3/message/private/query', { userId: id('rcv'), targetId: id('s1'), startTime: 0, endTime: Date.now() + 60_000 });
      return { others: acks.slice(1).map((a) => a.status), stored: (r.body.data ?? []).length };
    });
    expect(pair[1].others).toEqual([0, 0, 0, 0, 0]);
    expect(pair[1].stored).toBe(1);
    expectParity([{ ...pair[0] }, { ...pair[1] }]);
  }, 60_000);
}
