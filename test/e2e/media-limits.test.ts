/**
 * Send-time media rules (issue #9; seed status table 34002 / 34003): a SightMessage longer than
 * 120 s and a GIFMessage over 2 MB (`gifDataSize` in bytes, navi `gifSize` 2048 KB) fail.
 * - our SDK refuses locally: onError(34002/34003), the failed message, nothing reaches the server;
 * - the server refuses them for clients that skip the check (a raw CMP client here, as the official
 *   2.9.2 client does no such check): PUBACK status 34002/34003, nothing stored or delivered;
 * - exactly at the limits both pass.
 */
import { decodeByName, encodeByName, type PubackFrame } from '../../src/internal';
import { ConversationType, GIFMessage, SentStatus, SightMessage } from '../../src/index';
import type { Message } from '../../src/index';
import { connectRaw, type RawClient } from '../support/raw-client';
import { startServer, type RunningServer, type TestApp } from '../support/server-launcher';
import { call, delay, newUserId, ok, sdkUser, tokenFor, type SdkUser } from './sdk-api-support';

jest.setTimeout(60_000);

const APP: TestApp = { key: 'lxmedia', secret: 'lxmediasecret', options: { maxSendRate: 1000 } };
const PRIVATE = ConversationType.PRIVATE;
const MB2 = 2 * 1024 * 1024;
let server: RunningServer;
const users: SdkUser[] = [];
const raws: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
});
afterAll(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
  await Promise.allSettled(raws.map((r) => r.close()));
  await server?.stop();
});

async function online(name: string): Promise<SdkUser> {
  const user = await sdkUser(server, APP, name);
  await user.connect();
  users.push(user);
  return user;
}

const sight = (duration: number) => new SightMessage({ sightUrl: 'https://example.com/s.mp4', content: '', duration, size: 1000, name: 's.mp4' });
const gif = (gifDataSize: number) => new GIFMessage({ gifDataSize, remoteUrl: 'https://example.com/a.gif', width: 10, height: 10 });

describe('media send-time limits', () => {
  test('our SDK fails locally with 34002 / 34003 and sends nothing; the limits themselves pass', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const long = await call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, sight(121), cb));
    expect(long.ok).toBe(false);
    if (!long.ok) {
      expect(long.code).toBe(34002);
      expect(long.data).toMatchObject({ sentStatus: SentStatus.FAILED, messageUId: '', objectName: 'RC:SightMsg' });
    }
    const big = await call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, gif(MB2 + 1), cb));
    expect(big).toMatchObject({ ok: false, code: 34003 });

    const atSight = await ok(call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, sight(120), cb)), 'sight 120 s');
    const atGif = await ok(call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, gif(MB2), cb)), 'gif 2 MB');
    await bob.next((m) => m.messageUId === atGif.messageUId);
    // Only the two messages within the limits ever reached Bob.
    await delay(200);
    expect(bob.received.map((r) => r.message.messageUId)).toEqual([atSight.messageUId, atGif.messageUId]);
  });

  test('the server refuses over-limit media from clients that do not check (PUBACK 34002 / 34003)', async () => {
    const from = newUserId('raw');
    const to = newUserId('peer');
    const client = await connectRaw({ url: server.url, appKey: APP.key, token: await tokenFor(server, APP, from) });
    raws.push(client);
    expect(client.connack.status).toBe(0);
    const send = (objectName: string, content: unknown): Promise<PubackFrame> =>
      client.publish('ppMsgP', to, encodeByName('UpStreamMessage', { sessionId: 3, classname: objectName, content: new Uint8Array(Buffer.from(JSON.stringify(content))), configFlag: 0 }));

    expect((await send('RC:SightMsg', { sightUrl: 'u', content: '', duration: 121, size: 1, name: 's.mp4' })).status).toBe(34002);
    expect((await send('RC:SightMsg', { sightUrl: 'u', content: '', duration: '600', size: 1, name: 's.mp4' })).status).toBe(34002);
    expect((await send('RC:GIFMsg', { gifDataSize: MB2 + 1, remoteUrl: 'u', width: 1, height: 1 })).status).toBe(34003);
    expect((await send('RC:SightMsg', { sightUrl: 'u', content: '', duration: 120, size: 1, name: 's.mp4' })).status).toBe(0);
    expect((await send('RC:GIFMsg', { gifDataSize: MB2, remoteUrl: 'u', width: 1, height: 1 })).status).toBe(0);

    // Nothing refused was stored: the receiver's history holds the two accepted messages only.
    const peer = await connectRaw({ url: server.url, appKey: APP.key, token: await tokenFor(server, APP, to) });
    raws.push(peer);
    const ack = await peer.query('qryPMsg', to, encodeByName('HistoryMsgInput', { targetId: from, time: 0, count: 20, order: 0 }));
    const page = decodeByName('HistoryMsgOuput', ack.payload);
    expect(page.list.map((m) => m.classname).sort()).toEqual(['RC:GIFMsg', 'RC:SightMsg']);
  });
});

describe('navi gifSize follows the server file limit', () => {
  test('a server with --files maxGif=512K advertises gifSize 512, and a 600 KB GIF from our SDK fails with 34003', async () => {
    const small = await startServer({ apps: [APP], args: ['--files', 'maxGif=512K'] });
    const local: SdkUser[] = [];
    try {
      const navi = await fetch(`${small.url}/navi.js?appId=${APP.key}&token=${encodeURIComponent(await tokenFor(small, APP, newUserId('n')))}&callBack=cb`);
      const naviText = await navi.text();
      expect({ status: navi.status, naviText }).toMatchObject({ status: 200, naviText: expect.stringContaining('"gifSize":512') });
      const alice = await sdkUser(small, APP, 'alice');
      const bob = await sdkUser(small, APP, 'bob');
      local.push(alice, bob);
      await alice.connect();
      await bob.connect();
      const big = await call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, gif(600 * 1024), cb));
      expect(big).toMatchObject({ ok: false, code: 34003 });
      const fits = await ok(call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, gif(512 * 1024), cb)), 'gif 512 KB');
      await bob.next((m) => m.messageUId === fits.messageUId);
      expect(bob.received.map((r) => r.message.messageUId)).toEqual([fits.messageUId]);
    } finally {
      for (const user of local) await user.im.disconnect();
      await small.stop();
    }
  });
});
