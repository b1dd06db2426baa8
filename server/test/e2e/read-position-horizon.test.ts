/**
 * `lxReadPos` with read time 0 ("everything the server already had", docs/PROTOCOL-NOTES.md) is read up to
 * the app's clock — the sentTime of its newest stored message — not up to a clock reading. A clock reading
 * made a message stored in the same millisecond right after a clear count as read, so our SDK lost its unread
 * count and its @ (the sdk-groups @PART check failed ~1 time in 10 when a send followed a clear at once).
 */
import { decodeByName, encodeByName } from '../../../src/internal';
import type { rc } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { decodeE5, encodeE5, ReadReceiptMsg, SessionQryInput, SessionsOutput, type E5Object } from '../../src/services/e5-wire';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';

const APP: TestApp = { key: 'lxhorizon', secret: 'lxhorizonsecret', options: { multiDevice: true, maxSendRate: 1000 } };
const EMPTY: TestApp = { key: 'lxhorizonempty', secret: 'lxhorizonsecret' };
const E5_UNREAD: TestApp = { key: 'lxhorizone5', secret: 'lxhorizonsecret', options: { serverSaveUnread: true, maxSendRate: 1000 } };
const PRIVATE = 1;
let server: RunningServer;
const clients: RawClient[] = [];
let seq = 0;

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const uniqueUser = (name: string): string => `${name}${Date.now().toString(36)}${(seq++).toString(36)}`;
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(userId: string, app: TestApp = APP, sdkVer = '2.9.2'): Promise<RawClient> {
  const api: ServerApiClient = serverApi(server.url, app.key, app.secret);
  const res = await api.post<{ token: string }>('/user/getToken.json', { userId, name: userId });
  const client = await connectRaw({ url: server.url, appKey: app.key, token: res.body.token, sdkVer });
  expect(client.connack.status).toBe(0);
  clients.push(client);
  return client;
}

/** Sends a stored text message; resolves with its sentTime. */
async function send(from: RawClient, to: string, text: string): Promise<number> {
  const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: utf8(JSON.stringify({ content: text })), configFlag: 0 });
  const ack = await from.publish('ppMsgP', to, payload);
  expect(ack.status).toBe(0);
  return (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
}

async function readPos(client: RawClient, req: rc.IReadPositionReq): Promise<rc.ReadPositionOutput> {
  const ack = await client.query('lxReadPos', client.connack.userId ?? '', encodeByName('ReadPositionReq', req));
  expect(ack.status).toBe(0);
  return decodeByName('ReadPositionOutput', ack.payload);
}

const positionOf = (out: rc.ReadPositionOutput, targetId: string): number | undefined => {
  const item = out.items.find((i) => i.targetId === targetId);
  return item === undefined ? undefined : Number(item.readTime);
};

beforeAll(async () => {
  server = await startServer({ apps: [APP, EMPTY, E5_UNREAD] });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server?.stop();
});

describe('lxReadPos read time 0 = the newest stored message, never a clock reading', () => {
  it('a clear is read up to the last stored sentTime; a message sent right after it is newer and stays unread', async () => {
    const [reader, peer] = [uniqueUser('reader'), uniqueUser('peer')];
    const [r, p] = [await connect(reader), await connect(peer)];
    const first = await send(p, reader, 'before the clear');
    await delay(60);
    const cleared = await readPos(r, { since: 0, items: [{ type: PRIVATE, targetId: peer, readTime: 0 }] });
    // A clock reading would be ≥ first + 60.
    expect(positionOf(cleared, peer)).toBe(first);
    const after = await send(p, reader, 'right after the clear');
    expect(after).toBeGreaterThan(first);
    // Read again with since = 0: the stored position is still `first`, below the later message.
    expect(positionOf(await readPos(r, { since: 0, items: [] }), peer)).toBe(first);
  });

  it('clearAll sets the floor to the newest stored message of the app', async () => {
    const [reader, peer, other] = [uniqueUser('reader'), uniqueUser('peer'), uniqueUser('other')];
    const [r, p, o] = [await connect(reader), await connect(peer), await connect(other)];
    await send(p, reader, 'one');
    const newest = await send(o, peer, 'newest of the app, not for the reader');
    await delay(60);
    const out = await readPos(r, { since: 0, items: [], clearAll: true });
    expect(Number(out.floor)).toBe(newest);
  });

  it('a given time past the newest stored message (a device clock ahead) is capped at it, the floor too', async () => {
    const [reader, peer] = [uniqueUser('reader'), uniqueUser('peer')];
    const [r, p] = [await connect(reader), await connect(peer)];
    const stored = await send(p, reader, 'x');
    const ahead = Date.now() + 3_600_000;
    const out = await readPos(r, { since: 0, items: [{ type: PRIVATE, targetId: peer, readTime: ahead }], floor: ahead });
    expect(positionOf(out, peer)).toBe(stored);
    expect(Number(out.floor)).toBe(stored);
    const later = await send(p, reader, 'y');
    expect(later).toBeGreaterThan(stored);
  });

  it('a read-status sync (RC:SRSMsg) up to a time ahead of the server is capped at the newest stored message', async () => {
    const [reader, peer] = [uniqueUser('reader'), uniqueUser('peer')];
    const [r, p] = [await connect(reader), await connect(peer)];
    const stored = await send(p, reader, 'read me');
    await delay(60);
    // What engine 5.x's markRemoteConversationAsRead sends: "read up to now", by its own estimate of now.
    const srs = encodeByName('UpStreamMessage', {
      sessionId: 0,
      classname: 'RC:SRSMsg',
      content: utf8(JSON.stringify({ lastMessageSendTime: Date.now() + 3_600_000 })),
      configFlag: 0,
    });
    expect((await r.publish('ppMsgP', peer, srs)).status).toBe(0);
    let position: number | undefined;
    for (let i = 0; i < 50 && position === undefined; i++) {
      position = positionOf(await readPos(r, { since: 0, items: [] }), peer);
      if (position === undefined) await delay(20);
    }
    // The marker's own time (a clock reading, ≥ stored + 60) was the cap before.
    expect(position).toBe(stored);
  });

  it('a read-status sync reaches a message timed ahead of the wall clock (a burst runs the app clock ahead)', async () => {
    const [reader, peer] = [uniqueUser('reader'), uniqueUser('peer')];
    const [r, p] = [await connect(reader), await connect(peer)];
    // 300 sends in one go: the group commit allocates 300 consecutive milliseconds within a few real ones. The
    // marker's own time (a clock reading) must come out behind the burst's last message, else this proves nothing:
    // a machine too busy for that gets up to three bursts.
    let last = 0;
    let srsTime = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3 && srsTime >= last; attempt++) {
      const times = await Promise.all(Array.from({ length: 300 }, (_, i) => send(p, reader, `burst ${attempt}.${i}`)));
      last = Math.max(...times);
      const srs = encodeByName('UpStreamMessage', { sessionId: 0, classname: 'RC:SRSMsg', content: utf8(JSON.stringify({ lastMessageSendTime: last })), configFlag: 0 });
      const ack = await r.publish('ppMsgP', peer, srs);
      expect(ack.status).toBe(0);
      srsTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
    }
    expect(srsTime).toBeLessThan(last);
    let position: number | undefined;
    for (let i = 0; i < 50 && position !== last; i++) {
      position = positionOf(await readPos(r, { since: 0, items: [] }), peer);
      if (position !== last) await delay(20);
    }
    expect(position).toBe(last);
  });

  it('a read receipt (V4 sendMsgRead) of a message timed ahead of the wall clock (a burst) marks it read, not up to a clock reading', async () => {
    const [reader, peer] = [uniqueUser('reader'), uniqueUser('peer')];
    const r = await connect(reader, APP, '5.38.0');
    const p = await connect(peer);
    // As above: the burst runs the app clock ahead of the wall clock; the receipt goes out at once, while the newest
    // message's time is still ahead (checked: a machine too busy for that gets up to three bursts).
    let newest = { time: 0, uid: '' };
    let receiptAt = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3 && receiptAt >= newest.time; attempt++) {
      const acks = await Promise.all(Array.from({ length: 300 }, (_, i) => {
        const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: utf8(JSON.stringify({ content: `burst ${attempt}.${i}` })), configFlag: 0 });
        return p.publish('ppMsgP', reader, payload);
      }));
      for (const ack of acks) {
        expect(ack.status).toBe(0);
        const time = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
        if (time > newest.time) newest = { time, uid: ack.messageUId ?? '' };
      }
      receiptAt = Date.now();
      const ack = await r.publish('sendMsgRead', peer, encodeE5(ReadReceiptMsg, { targetId: peer, type: PRIVATE, endMsgId: newest.uid }));
      expect(ack.status).toBe(0);
    }
    expect(receiptAt).toBeLessThan(newest.time);
    // The receipt was capped at the node's clock: the newest messages of the burst stayed unread.
    expect(positionOf(await readPos(r, { since: 0, items: [] }), peer)).toBe(newest.time);
  });

  it('an app that has stored nothing has nothing to mark read', async () => {
    const [reader, peer] = [uniqueUser('reader'), uniqueUser('peer')];
    const r = await connect(reader, EMPTY);
    const out = await readPos(r, { since: 0, items: [{ type: PRIVATE, targetId: peer, readTime: 0 }], clearAll: true });
    expect(out.items).toEqual([]);
    expect(Number(out.floor ?? 0)).toBe(0);
  });
});

describe('engine 5.x server-side unread (pullSe): the counts are cut at the newest stored message, not at a clock reading', () => {
  it('cutOffTime is the last stored sentTime; the counts cover exactly the messages up to it', async () => {
    const [reader, peer] = [uniqueUser('reader'), uniqueUser('peer')];
    const r = await connect(reader, E5_UNREAD, '5.38.0');
    const p = await connect(peer, E5_UNREAD);
    await send(p, reader, 'one');
    const second = await send(p, reader, 'two');
    await delay(60);
    const ack = await r.query('pullSe', reader, encodeE5(SessionQryInput, { version: 0, count: 10 }));
    expect(ack.status).toBe(0);
    const sessions = (decodeE5(SessionsOutput, ack.payload)['session'] ?? []) as E5Object[];
    const unread = sessions.find((s) => s['targetId'] === peer)?.['unread'] as E5Object | undefined;
    // 5.x counts live only what is newer than cutOffTime: a clock reading (≥ second + 60) left a message stored
    // after the count but timed before it uncounted.
    expect(Number(unread?.['cutOffTime'])).toBe(second);
    expect(Number(unread?.['cnt'])).toBe(2);
    expect(await send(p, reader, 'three')).toBeGreaterThan(second);
  });
});

