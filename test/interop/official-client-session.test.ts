/**
 * Interop (sessions): connection-level behaviour of the OFFICIAL RongCloud web client (@rongcloud/imlib-v2 2.9.2
 * on @rongcloud/engine 4.4.2) against our real server: kicks, refused tokens, the comet transport and
 * multi-device sync. LIANXIN_TRACE=1 prints every HTTP request and WebSocket frame the official clients exchange.
 */
import net from 'node:net';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { createRongIMLib, ErrorCode, LogLevel, RCConnectionStatus } from '../../src/index';
import type { RongIMClientStatic } from '../../src/index';
import { sdkUser } from '../e2e/sdk-api-support';
import type { SdkUser } from '../e2e/sdk-api-support';
import { ConnectionStatus, ConversationType, MessageDirection } from '../support/official-client/official-message';
import type { OfficialConversation } from '../support/official-client/official-message';
import { delay, MULTI_DEVICE_APP, privateHistory, sendTextOk, useInteropServer } from '../support/official-client/interop-fixture';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP } from '../support/server-launcher';

const PRIVATE = ConversationType.PRIVATE;
const fx = useInteropServer();

describe('official web client 2.9.2 ↔ Lianxin server: sessions, tokens, transports, devices', () => {
  test('a second login of the same user kicks the first (status 6) and the first stays offline', async () => {
    const first = await fx.online('alice');
    const second = await fx.launch('alice-2');
    expect(await second.connect(first.token)).toEqual({ ok: true, userId: first.userId });

    await first.client.waitForStatus(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT, 10_000);
    // The engine does not reconnect after a kick (PROTOCOL.md §3.4): no CONNECTED after the 6.
    await delay(6_000);
    const afterKick = first.client.statuses.slice(first.client.statuses.indexOf(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT));
    expect(afterKick).not.toContain(ConnectionStatus.CONNECTED);
    expect(second.statuses[second.statuses.length - 1]).toBe(ConnectionStatus.CONNECTED);
  }, 40_000);

  // Findings (observed with engine 4.4.2 / imlib-v2 2.9.2 against this server, wire evidence asserted below):
  // * The engine treats ANY non-zero CONNACK status as "this host failed": it closes the socket, tries the next
  //   host and finally resolves connect with 30002 (RC_NET_UNAVAILABLE). So imlib-v2 calls onError(30002) — NOT
  //   onTokenIncorrect — for CONNACK 4 (TOKEN_INCORRECT) and CONNACK 10 (TOKEN_EXPIRE) alike. PROTOCOL.md §3.2 is
  //   right; API_CHECKLIST.md's "connack token-invalid → onTokenIncorrect" only holds for the legacy 2.5.3 client.
  // * onTokenIncorrect is reached only for an empty/non-string token (engine-local 31004, nothing on the wire).
  // * A token the server cannot parse is refused already by navi (HTTP 401, like RongCloud's navi — 2.5.3 maps
  //   that to onTokenIncorrect); engine 4.4.2 ignores the body of a non-200 navi answer and reports 30007
  //   (RC_NAVI_RESOURCE_ERROR). CONNACK 4 is only reached when the client skips navi because it still holds a
  //   cached navi entry (localStorage `navi_<appKey>`, valid 2 h, keyed by token).
  test('token incorrect: navi 401 → onError(30007); with a cached navi → CONNACK 4 → onError(30002); empty → onTokenIncorrect', async () => {
    const badToken = 'not-a-real-token';
    const fresh = await fx.launch('bad-token', { trace: true });
    expect(await fresh.connect(badToken, 30_000)).toEqual({ ok: false, kind: 'error', code: 30007 });
    expect(await fresh.waitForLog(/http< 401 GET \S+\/navi\.js\?appId=/)).toMatch(/http< 401 GET \S+\/navi\.js\?appId=/);
    expect(fresh.statuses).not.toContain(ConnectionStatus.CONNECTED);

    const cached = await fx.launch('bad-token-cached-navi', { trace: true, localStorage: await fx.cachedNaviFor(badToken) });
    expect(await cached.connect(badToken, 30_000)).toEqual({ ok: false, kind: 'error', code: 30002 });
    // Once the CONNACK's line is in, every earlier line is: no navi request among them.
    expect(await cached.waitForLog(/ws< 20 0[0-9a-f] 04(?: |$)/m)).toMatch(/ws< 20 0[0-9a-f] 04(?: |$)/m);
    expect(cached.logs()).not.toMatch(/http> GET \S+\/navi\.js/);
    expect(cached.statuses).not.toContain(ConnectionStatus.CONNECTED);

    const empty = await fx.launch('empty-token');
    expect(await empty.connect('')).toEqual({ ok: false, kind: 'tokenIncorrect' });
  }, 60_000);

  test('token expired (user/token/expire): navi 200, CONNACK 10 → onError(30002)', async () => {
    const userId = fx.newUserId('expiring');
    const token = await fx.tokenFor(userId);
    const expire = await serverApi(fx.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret).post('/user/token/expire.json', {
      userId,
      time: Date.now() + 1_000,
    });
    expect(expire.body).toMatchObject({ code: 200 });

    const expired = await fx.launch('expired-token', { trace: true });
    expect(await expired.connect(token, 30_000)).toEqual({ ok: false, kind: 'error', code: 30002 });
    // The trace lines come over stderr, the answer over IPC: wait for the lines rather than race them.
    expect(await expired.waitForLog(/http< 200 GET \S+\/navi\.js\?appId=/)).toMatch(/http< 200 GET \S+\/navi\.js\?appId=/);
    expect(await expired.waitForLog(/ws< 20 0[0-9a-f] 0a(?: |$)/m)).toMatch(/ws< 20 0[0-9a-f] 0a(?: |$)/m);
    expect(expired.statuses).not.toContain(ConnectionStatus.CONNECTED);

    // A token issued after the expiry time works again.
    await delay(1_100);
    const renewed = await fx.launch('renewed-token');
    expect(await renewed.connect(await fx.tokenFor(userId))).toEqual({ ok: true, userId });
  }, 60_000);

  test('comet (HTTP long-polling) transport: private text both ways', async () => {
    const alice = await fx.online('alice', { connectionType: 'comet' });
    const bob = await fx.online('bob', { connectionType: 'comet' });

    const sent = await sendTextOk(alice.client, bob.userId, 'over comet');
    const atBob = await bob.client.nextMessage((m) => m.messageUId === sent.messageUId, 15_000);
    expect(atBob).toMatchObject({
      senderUserId: alice.userId,
      targetId: alice.userId,
      messageDirection: MessageDirection.RECEIVE,
      content: { content: 'over comet' },
      sentTime: sent.sentTime,
    });
    const reply = await sendTextOk(bob.client, alice.userId, 'comet reply');
    const atAlice = await alice.client.nextMessage((m) => m.messageUId === reply.messageUId, 15_000);
    expect(atAlice).toMatchObject({ senderUserId: bob.userId, content: { content: 'comet reply' }, sentTime: reply.sentTime });

    const { list } = await privateHistory(bob.client, alice.userId, 0, 20, 0);
    expect(list.map((m) => m.messageUId)).toEqual([sent.messageUId, reply.messageUId]);
  }, 60_000);

  test('mixed transports: a comet client and a WebSocket client talk to each other', async () => {
    const alice = await fx.online('alice-comet', { connectionType: 'comet' });
    const bob = await fx.online('bob-ws');
    const toBob = await sendTextOk(alice.client, bob.userId, 'comet → ws');
    expect(await bob.client.nextMessage((m) => m.messageUId === toBob.messageUId, 15_000)).toMatchObject({
      senderUserId: alice.userId,
      sentTime: toBob.sentTime,
    });
    const toAlice = await sendTextOk(bob.client, alice.userId, 'ws → comet');
    expect(await alice.client.nextMessage((m) => m.messageUId === toAlice.messageUId, 15_000)).toMatchObject({
      senderUserId: bob.userId,
      sentTime: toAlice.sentTime,
    });
  }, 60_000);

  test('multi-device: a message sent from one device shows up on the same user’s other device as SEND', async () => {
    const phone = await fx.online('alice-phone', {}, MULTI_DEVICE_APP);
    const laptop = await fx.launch('alice-laptop', {}, MULTI_DEVICE_APP);
    expect(await laptop.connect(phone.token)).toEqual({ ok: true, userId: phone.userId });
    const bob = await fx.online('bob', {}, MULTI_DEVICE_APP);

    const sent = await sendTextOk(phone.client, bob.userId, 'from my phone');
    const echoed = await laptop.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    expect(echoed).toMatchObject({
      conversationType: PRIVATE,
      targetId: bob.userId,
      senderUserId: phone.userId,
      messageDirection: MessageDirection.SEND,
      content: { content: 'from my phone' },
      sentTime: sent.sentTime,
    });
    await bob.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    // Both devices stay online (no kick in a multi-device app), and the sender does not get its own copy.
    await phone.client.settle(800);
    expect(phone.client.statuses).not.toContain(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT);
    expect(phone.client.messages.filter((m) => m.messageUId === sent.messageUId)).toHaveLength(0);
    expect(laptop.messages.filter((m) => m.messageUId === sent.messageUId)).toHaveLength(1);
  });

  test('multi-device: a device that logs in later pulls the user’s own earlier sends as SEND messages', async () => {
    const phone = await fx.online('alice-phone', {}, MULTI_DEVICE_APP);
    const bobId = fx.newUserId('bob');
    await fx.tokenFor(bobId, MULTI_DEVICE_APP);
    const sent = await sendTextOk(phone.client, bobId, 'sent before the laptop logged in');
    const reply = await (async () => {
      const bob = await fx.launch('bob', {}, MULTI_DEVICE_APP);
      expect(await bob.connect(await fx.tokenFor(bobId, MULTI_DEVICE_APP))).toEqual({ ok: true, userId: bobId });
      return sendTextOk(bob, phone.userId, 'reply from bob');
    })();

    const laptop = await fx.launch('alice-laptop', {}, MULTI_DEVICE_APP);
    expect(await laptop.connect(phone.token)).toEqual({ ok: true, userId: phone.userId });
    const own = await laptop.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    expect(own).toMatchObject({
      messageDirection: MessageDirection.SEND,
      senderUserId: phone.userId,
      targetId: bobId,
      sentTime: sent.sentTime,
      content: { content: 'sent before the laptop logged in' },
    });
    const incoming = await laptop.nextMessage((m) => m.messageUId === reply.messageUId, 10_000);
    expect(incoming).toMatchObject({ messageDirection: MessageDirection.RECEIVE, senderUserId: bobId, targetId: bobId });
    await laptop.settle(1_000);
    expect(laptop.messages.map((m) => m.messageUId)).toEqual([sent.messageUId, reply.messageUId]);
  });

  test('multi-device: top / do-not-disturb set on one device reaches the other device and the conversation list', async () => {
    const phone = await fx.online('alice-phone', {}, MULTI_DEVICE_APP);
    const laptop = await fx.launch('alice-laptop', {}, MULTI_DEVICE_APP);
    expect(await laptop.connect(phone.token)).toEqual({ ok: true, userId: phone.userId });
    const bobId = fx.newUserId('bob');
    await fx.tokenFor(bobId, MULTI_DEVICE_APP);
    await sendTextOk(phone.client, bobId, 'make a conversation');

    const set = await phone.client.call('setConversationStatus', PRIVATE, bobId, { isTop: true, notificationStatus: 1 });
    expect(set.ok).toBe(true);
    const change = await laptop.waitForConversationStatus((c) => c.targetId === bobId, 10_000);
    expect(change).toMatchObject({ conversationType: PRIVATE, targetId: bobId, isTop: true, notificationStatus: 1 });

    const list = await laptop.call<OfficialConversation[]>('getConversationList', null, 100);
    expect(list.ok).toBe(true);
    const conversation = list.ok ? list.value.find((c) => c.targetId === bobId) : undefined;
    expect(conversation).toMatchObject({ isTop: true, notificationStatus: 1 });
  });
});

describe('our SDK beside the official client: a session the server ends, navigators that never answer', () => {
  const ours: SdkUser[] = [];
  afterEach(async () => {
    await Promise.all(ours.splice(0).map((u) => u.im.disconnect()));
  });
  async function oursUser(name: string, opts: { userId?: string; token?: string } = {}): Promise<SdkUser> {
    const u = await sdkUser(fx.server, DEFAULT_TEST_APP, name, opts);
    ours.push(u);
    return u;
  }
  async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await delay(20);
    }
  }
  const afterConnected = (statuses: readonly number[]): number[] => statuses.slice(statuses.indexOf(ConnectionStatus.CONNECTED) + 1);

  // PROTOCOL §3.4: "`E0 00 01` produced, in E4, app statuses `2` then `6`" (engine 4.4.2 disconnects, then reports
  // the reason; the same for BLOCKED and DISCONNECT_BY_SERVER). An app that cleans up on DISCONNECTED must see it.
  test('kicked by another login: the legacy listener reports DISCONNECTED then KICKED (2, 6) on both clients', async () => {
    const official = await fx.online('kick-official');
    const officialKicker = await oursUser('kicker-official', { userId: official.userId, token: official.token });
    await officialKicker.connect();
    await official.client.waitForStatus(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT, 10_000);

    const user = await oursUser('kick-ours');
    const changes: unknown[][] = [];
    user.client.onConnectionStatusChange({ onChange: (...args: unknown[]) => changes.push(args) });
    await user.connect();
    const kicker = await oursUser('kicker-ours', { userId: user.userId, token: user.token });
    await kicker.connect();
    await until('our kick', () => user.statuses.includes(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT));
    await delay(1_000);

    expect(afterConnected(official.client.statuses)).toEqual([ConnectionStatus.DISCONNECTED, ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT]);
    expect(afterConnected(user.statuses)).toEqual(afterConnected(official.client.statuses));
    expect(user.im.getCurrentConnectionStatus()).toBe(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT);
    // The 5.7 listener is unchanged: one DISCONNECTED carrying the reason.
    expect(changes.slice(-1)).toEqual([[RCConnectionStatus.DISCONNECTED, ErrorCode.RC_DISCONN_KICK]]);
    expect(changes.filter(([status]) => status === RCConnectionStatus.DISCONNECTED)).toHaveLength(1);
  }, 90_000);

  test('blocked by the Server API while connected: DISCONNECTED then BLOCKED (2, 9) on both clients', async () => {
    const api = serverApi(fx.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
    const official = await fx.online('block-official');
    const user = await oursUser('block-ours');
    await user.connect();

    expect((await api.post('/user/block.json', { userId: [official.userId, user.userId], minute: 1 })).body).toMatchObject({ code: 200 });
    await official.client.waitForStatus(ConnectionStatus.BLOCKED, 10_000);
    await until('our block', () => user.statuses.includes(ConnectionStatus.BLOCKED));
    await delay(1_000);

    expect(afterConnected(official.client.statuses)).toEqual([ConnectionStatus.DISCONNECTED, ConnectionStatus.BLOCKED]);
    expect(afterConnected(user.statuses)).toEqual(afterConnected(official.client.statuses));
  }, 90_000);

  /** A TCP listener that accepts connections and never answers (a navigator that hangs). */
  async function blackhole(): Promise<{ url: string; close(): void }> {
    const sockets = new Set<net.Socket>();
    const hole = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    const { port } = hole.address() as net.AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => {
        for (const socket of sockets) socket.destroy();
        hole.close();
      },
    };
  }

  type ConnectOutcome = { kind: 'success'; userId: string } | { kind: 'tokenIncorrect' } | { kind: 'error'; code: number };
  function connectOutcome(client: RongIMClientStatic, token: string): Promise<ConnectOutcome> {
    return new Promise((resolve) => {
      void client.connect(token, {
        onSuccess: (userId) => resolve({ kind: 'success', userId }),
        onTokenIncorrect: () => resolve({ kind: 'tokenIncorrect' }),
        onError: (code) => resolve({ kind: 'error', code }),
      });
    });
  }

  // PROTOCOL §2.1 (E4): "sequential over the list, 10 s timeout each, first HTTP 200 whose body parses wins; none →
  // connect fails with 30007"; the token's `@navi` navigators come before the configured one.
  test('a hung first navigator (token @navi): both clients wait it out and connect through the next one', async () => {
    const hole = await blackhole();
    try {
      const officialId = fx.newUserId('navi-official');
      const officialToken = await fx.tokenFor(officialId);
      const official = await fx.launch('navi-official');
      const user = await oursUser('navi-ours');
      const [officialResult, oursResult] = await Promise.all([
        official.connect(`${officialToken}@${hole.url}`, 40_000),
        connectOutcome(user.client, `${user.token}@${hole.url}`),
      ]);
      expect(officialResult).toEqual({ ok: true, userId: officialId });
      expect(oursResult).toEqual({ kind: 'success', userId: user.userId });
    } finally {
      hole.close();
    }
  }, 60_000);

  test('the only navigator hangs: onError(30007) on both clients, not 31000', async () => {
    const hole = await blackhole();
    try {
      const official = await fx.launch('navi-only-official', { navi: hole.url });
      const { RongIMClient } = createRongIMLib(createNodeAdapter());
      RongIMClient.init(DEFAULT_TEST_APP.key, null, { navi: hole.url, logLevel: LogLevel.NONE });
      const [officialResult, oursResult] = await Promise.all([
        fx.tokenFor(fx.newUserId('navi-only-official')).then((token) => official.connect(token, 40_000)),
        fx.tokenFor(fx.newUserId('navi-only-ours')).then((token) => connectOutcome(RongIMClient, token)),
      ]);
      expect(officialResult).toEqual({ ok: false, kind: 'error', code: 30007 });
      expect(oursResult).toEqual({ kind: 'error', code: ErrorCode.RC_NAVI_RESOURCE_ERROR });
    } finally {
      hole.close();
    }
  }, 60_000);
});
