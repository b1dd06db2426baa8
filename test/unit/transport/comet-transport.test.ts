import { createCometTransport } from '../../../src/transport/comet-transport';
import type { CloseReason, Endpoint, Transport } from '../../../src/transport/transport';
import type { Frame } from '../../../src/protocol/frame';
import { decodeByName, encodeByName } from '../../../src/protocol/messages';
import { FakeHost, type HttpAnswer } from '../client/fake-host';

const ENDPOINT: Endpoint = { host: 'cmp.test:81', secure: false, appKey: 'k1', token: 'tok@', sdkVersion: '2.9.2', lianxinVersion: '0.1.0' };
const CONNECT_OK = '{"status":0,"userId":"user1","headerCode":32,"messageId":0,"sessionid":"SID123","timestamp":1600000000123}';

interface Deferred {
  readonly url: URL;
  readonly body: string | undefined;
  answer(a: HttpAnswer): void;
}

function setup(connectReply = CONNECT_OK) {
  const host = new FakeHost();
  const polls: Deferred[] = [];
  const posts: Deferred[] = [];
  host.http = (req, url) => {
    if (url.pathname === '/websocket' && req.method === 'GET') return { status: 200, body: connectReply };
    return new Promise<HttpAnswer>((resolve) => {
      const d = { url, body: typeof req.body === 'string' ? req.body : undefined, answer: resolve };
      (url.pathname === '/pullmsg.js' ? polls : posts).push(d);
    });
  };
  const events: string[] = [];
  const frames: Frame[] = [];
  const closes: CloseReason[] = [];
  const transport: Transport = createCometTransport(
    ENDPOINT,
    {
      onOpen: () => events.push('open'),
      onFrames: (fs) => {
        for (const f of fs) {
          events.push(f.kind);
          frames.push(f);
        }
      },
      onClose: (r) => {
        events.push('close');
        closes.push(r);
      },
    },
    host.adapter,
  );
  return { host, polls, posts, events, frames, closes, transport };
}

describe('comet transport', () => {
  it('connects with GET /websocket, emits open + CONNACK, then long-polls with the session id', async () => {
    const { host, polls, events, frames } = setup();
    expect(events).toEqual([]);
    await host.clock.advance(0);
    const connect = new URL(host.requests[0]?.url ?? '');
    expect(`${connect.origin}${connect.pathname}`).toBe('http://cmp.test:81/websocket');
    expect(connect.searchParams.get('appId')).toBe('k1');
    expect(connect.searchParams.get('token')).toBe('tok@');
    expect(connect.searchParams.get('sdkVer')).toBe('2.9.2');
    expect(connect.searchParams.get('pid')).toMatch(/^\d+(\.\d+)?$/);
    expect(events).toEqual(['open', 'connack']);
    expect(frames[0]).toMatchObject({ kind: 'connack', status: 0, userId: 'user1', sessionId: 'SID123', timestamp: 1600000000123 });
    expect(polls).toHaveLength(1);
    expect(polls[0]?.url.searchParams.get('sessionid')).toBe('SID123');
    expect(polls[0]?.url.searchParams.get('pid')).toBe(connect.searchParams.get('pid'));
  });

  it('a refused CONNACK is delivered and no poll starts', async () => {
    const { host, polls, frames } = setup('{"status":4,"headerCode":32,"messageId":0}');
    await host.clock.advance(0);
    expect(frames[0]).toMatchObject({ kind: 'connack', status: 4 });
    expect(polls).toHaveLength(0);
  });

  it('turns pushed JSON into protobuf frames and re-polls immediately', async () => {
    const { host, polls, frames } = setup();
    await host.clock.advance(0);
    polls[0]?.answer({
      status: 200,
      body: JSON.stringify([
        { headerCode: 50, messageId: 7, topic: 's_ntf', targetId: 'user1', data: '{"type":1,"time":1600000009000}' },
        { headerCode: 58, messageId: 9, topic: 'ppMsgP', targetId: 'user4', data: '{"sessionId":3,"classname":"RC:TxtMsg","content":"{\\"content\\":\\"hi\\"}"}' },
        { headerCode: 64, messageId: 9, status: 0, timestamp: 1600000003456, messageUId: 'BKR5-28P4-JT85-0009' },
        { headerCode: 224, status: 1 },
      ]),
    });
    await host.clock.advance(0);
    const [push, echo, ack, disconnect] = frames.slice(1);
    expect(push).toMatchObject({ kind: 'publish', qos: 1, dup: false, topic: 's_ntf', messageId: 7 });
    expect(push?.kind === 'publish' && decodeByName('NotifyMsg', push.payload)).toMatchObject({ type: 1, time: 1600000009000 });
    expect(echo).toMatchObject({ kind: 'publish', dup: true, topic: 'ppMsgP', targetId: 'user4' });
    expect(echo?.kind === 'publish' && decodeByName('UpStreamMessage', echo.payload).classname).toBe('RC:TxtMsg');
    expect(ack).toMatchObject({ kind: 'puback', messageId: 9, date: 1600000003, millisecond: 456, messageUId: 'BKR5-28P4-JT85-0009' });
    expect(disconnect).toMatchObject({ kind: 'disconnect', reason: 1 });
    expect(polls).toHaveLength(2);
  });

  it('QUERY → POST with JSON body; the QUERYACK data is decoded with the topic output type', async () => {
    const { host, posts, frames, transport } = setup();
    await host.clock.advance(0);
    const payload = encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 });
    transport.send({ kind: 'query', dup: false, qos: 0, retain: false, topic: 'pullMsg', targetId: 'user1', messageId: 3, payload });
    await host.clock.advance(0);
    const post = posts[0];
    expect(post?.url.pathname).toBe('/websocket');
    expect(Object.fromEntries(post?.url.searchParams ?? [])).toMatchObject({ messageid: '3', header: '80', sessionid: 'SID123', topic: 'pullMsg', targetid: 'user1' });
    expect(JSON.parse(post?.body ?? '')).toEqual({ syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 });
    post?.answer({
      status: 200,
      body: JSON.stringify([{ headerCode: 96, messageId: 3, status: 0, date: 1600000000, data: '{"list":[],"syncTime":1600000000000,"finished":true}' }]),
    });
    await host.clock.advance(0);
    const ack = frames[1];
    expect(ack).toMatchObject({ kind: 'queryack', messageId: 3, status: 0, date: 1600000000 });
    expect(ack?.kind === 'queryack' && decodeByName('DownStreamMessages', ack.payload).syncTime).toBe(1600000000000);
  });

  it('POSTs go one at a time in send order; PUBACK carries an empty JSON body', async () => {
    const { host, posts, transport } = setup();
    await host.clock.advance(0);
    transport.send({ kind: 'puback', dup: false, qos: 0, retain: false, messageId: 7 });
    transport.send({ kind: 'querycon', dup: false, qos: 0, retain: false, messageId: 8 });
    await host.clock.advance(0);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.url.searchParams.get('header')).toBe('64');
    expect(posts[0]?.body).toBe('{}');
    posts[0]?.answer({ status: 200, body: '[]' });
    await host.clock.advance(0);
    expect(posts).toHaveLength(2);
    expect(posts[1]?.url.searchParams.get('header')).toBe('112');
  });

  it('PINGREQ is answered locally while the poll loop runs', async () => {
    const { host, events, transport } = setup();
    await host.clock.advance(0);
    transport.send({ kind: 'pingreq', dup: false, qos: 0, retain: false });
    await host.clock.advance(0);
    expect(events).toEqual(['open', 'connack', 'pingresp']);
  });

  it('a failed poll closes the transport once; close() afterwards is a no-op', async () => {
    const { host, polls, closes, transport } = setup();
    await host.clock.advance(0);
    polls[0]?.answer({ status: 500, body: '' });
    await host.clock.advance(0);
    expect(closes).toEqual([{ kind: 'http-failed', status: 500, message: expect.any(String) }]);
    transport.close();
    expect(closes).toHaveLength(1);
  });

  it('close() aborts the outstanding poll and reports a local close', async () => {
    const { host, polls, closes, transport } = setup();
    await host.clock.advance(0);
    transport.close();
    expect(closes).toEqual([{ kind: 'local' }]);
    polls[0]?.answer({ status: 200, body: '[{"headerCode":50,"messageId":1,"topic":"s_ntf","targetId":"u","data":"{}"}]' });
    await host.clock.advance(0);
    expect(polls).toHaveLength(1);
  });
});
