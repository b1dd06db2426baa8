/**
 * Interop: a stored message overtaken by a not-stored one, then the connection lost before the pull — the official
 * client 2.9.2 (engine 4.4.2) still gets the stored message after it reconnects, once.
 *
 * Engine 4.4.2 takes a pushed `s_msg`'s time as its inbox cursor (PROTOCOL.md §5.4). When an `s_msg` reaches it
 * before the `s_ntf` of a stored message timed before it (the commit in flight, or notified from another node), its
 * next pull asks from past that message; the session answers from where its own pulls reached (transient-hold.ts).
 * If the socket is lost first, the next session has no such mark: it answered from the client's cursor and the
 * message was never delivered. The session's mark is now handed to the device's next session
 * (server/src/gateway/pull-mark-handover.ts).
 *
 * The client reaches the server through a proxy on 127.0.0.1 (navi hands it out as the CMP host) that can drop the
 * server's `s_ntf` frames — the stored message's notification "still in flight" — and reset the connection.
 */
import net from 'node:net';
import { launchOfficialClient, killAllOfficialClients } from '../support/official-client/launch-official-client';
import type { OfficialClient } from '../support/official-client/launch-official-client';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP, startServer } from '../support/server-launcher';
import type { RunningServer } from '../support/server-launcher';
import { newUserId, tokenFor } from '../e2e/sdk-api-support';

const CONNECTED = 0;
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Whether a server WebSocket message is a CMP PUBLISH on `s_ntf` (header, u32 date, UTF topic: PROTOCOL.md §4.5). */
function isNotification(message: Buffer): boolean {
  return message.length > 12 && message[0]! >> 4 === 3 && message.readUInt16BE(5) === 5 && message.toString('latin1', 7, 12) === 's_ntf';
}

/**
 * Server → client bytes, passed on whole WebSocket frames at a time (after the HTTP upgrade answer), and dropped
 * while `drop(frame payload)` says so. Server frames are unmasked and unfragmented.
 */
function frameFilter(drop: (message: Buffer) => boolean): (chunk: Buffer) => Buffer[] {
  let pending = Buffer.alloc(0);
  let upgraded = false;
  let plain = false;
  return (chunk) => {
    if (plain) return [chunk];
    pending = Buffer.concat([pending, chunk]);
    const out: Buffer[] = [];
    if (!upgraded) {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return out;
      // Not an upgrade (the engine's `/ping` probe, navi): passed on as it is.
      if (!pending.subarray(0, end).toString('latin1').startsWith('HTTP/1.1 101')) {
        plain = true;
        return [pending];
      }
      out.push(pending.subarray(0, end + 4));
      pending = pending.subarray(end + 4);
      upgraded = true;
    }
    for (;;) {
      if (pending.length < 2) break;
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) break;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) break;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      if (pending.length < offset + length) break;
      const frame = pending.subarray(0, offset + length);
      pending = pending.subarray(offset + length);
      if (!drop(frame.subarray(offset))) out.push(frame);
    }
    return out;
  };
}

interface Proxy {
  dropNotifications: boolean;
  reset(): void;
  close(): Promise<void>;
}

async function startFilteringProxy(port: number, target: () => number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const proxy: Proxy = {
    dropNotifications: false,
    reset: () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    close: async () => {
      proxy.reset();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target(), '127.0.0.1');
    const filter = frameFilter((message) => proxy.dropNotifications && isNotification(message));
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => {
      for (const part of filter(data)) client.write(part);
    });
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => undefined);
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return proxy;
}

let server: RunningServer;
let proxy: Proxy;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ apps: [DEFAULT_TEST_APP], args: ['--public-host', `127.0.0.1:${port}`] });
  proxy = await startFilteringProxy(port, () => server.port);
}, 60_000);

afterAll(async () => {
  await killAllOfficialClients();
  await proxy?.close();
  await server?.stop();
});

const api = () => serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);

/** A synced client of a fresh user whose inbox cursor a not-stored message moved past a stored one it has not pulled. */
async function overtaken(): Promise<{ client: OfficialClient; userId: string; token: string }> {
  const client = await launchOfficialClient({ appKey: DEFAULT_TEST_APP.key, navi: server.url, label: 'official', trace: true });
  const userId = newUserId('alice');
  const bob = newUserId('bob');
  const token = await tokenFor(server, DEFAULT_TEST_APP, userId);
  expect(await client.connect(token)).toEqual({ ok: true, userId });
  await client.waitForLog(/pullMsg success/, 10_000);
  await client.settle(300);
  // The stored message's notification is "still in flight" (dropped here), so the client does not pull it...
  proxy.dropNotifications = true;
  const stored = await api().post<{ code: number }>('/message/private/publish.json', {
    fromUserId: bob, toUserId: userId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'overtaken' }),
  });
  expect(stored.body.code).toBe(200);
  await delay(20);
  // ...and a not-stored message timed after it reaches the client, moving its inbox cursor past the stored one.
  await api().post('/message/private/publish.json', {
    fromUserId: bob, toUserId: userId, objectName: 'App:Live', content: JSON.stringify({ n: 1 }), isPersisted: 0,
  });
  await until('the not-stored message', () => client.messages.some((m) => m.objectName === 'App:Live'), 10_000);
  return { client, userId, token };
}

/** How many times `client` got the stored message, once it has had the time to pull it. */
async function storedCount(client: OfficialClient): Promise<number> {
  const count = (): number => client.messages.filter((m) => m.objectName === 'RC:TxtMsg').length;
  await until('the overtaken stored message', () => count() > 0, 10_000).catch(() => undefined);
  await client.settle(500);
  return count();
}

afterEach(async () => {
  proxy.dropNotifications = false;
  await killAllOfficialClients();
});

test('a stored message an s_msg overtook, then the socket lost before the pull: pulled after the reconnect, once', async () => {
  const { client } = await overtaken();
  // The connection is lost before the client pulled the stored message; it reconnects on its own.
  const statusesBefore = client.statuses.length;
  proxy.dropNotifications = false;
  proxy.reset();
  await until('the reconnect', () => client.statuses.slice(statusesBefore).at(-1) === CONNECTED, 30_000);
  expect(await storedCount(client)).toBe(1);
}, 90_000);

test('the same, then the page reloaded before the pull: the new page pulls it (from the cursor it kept), once', async () => {
  const { client, userId, token } = await overtaken();
  const kept = await client.storage();
  await client.kill();
  proxy.dropNotifications = false;
  const reloaded = await launchOfficialClient({ appKey: DEFAULT_TEST_APP.key, navi: server.url, label: 'reloaded', localStorage: kept });
  expect(await reloaded.connect(token)).toEqual({ ok: true, userId });
  expect(await storedCount(reloaded)).toBe(1);
}, 90_000);
