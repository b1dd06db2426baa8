/**
 * Helpers shared by the chatroom e2e suites: raw CMP clients speaking the chatroom topics exactly as the
 * official clients do (PROTOCOL.md §6.4, §8.7, §8.8), asserted on the decoded protobuf payloads.
 */
import { decodeByName, encodeByName, type PublishFrame, type QueryAckFrame } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';

export const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
export const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

export interface ChatroomTestEnv {
  readonly url: string;
  readonly appKey: string;
  readonly api: ServerApiClient;
  readonly clients: RawClient[];
}

/**
 * Registers a suite's server hooks: one server with `apps`, the raw clients a test opened closed after it.
 * `env(app)` is one app's test env (the first app when none is named).
 */
export function useChatroomServer(apps: readonly TestApp[]): (app?: TestApp) => ChatroomTestEnv {
  let server: RunningServer | undefined;
  const clients: RawClient[] = [];
  const envs = new Map<string, ChatroomTestEnv>();

  beforeAll(async () => {
    server = await startServer({ apps });
    for (const app of apps) envs.set(app.key, { url: server.url, appKey: app.key, api: serverApi(server.url, app.key, app.secret), clients });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await server?.stop();
  });

  return (app = apps[0]) => {
    const found = app === undefined ? undefined : envs.get(app.key);
    if (found === undefined) throw new Error('server not started');
    return found;
  };
}

let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}`;
}

export async function tokenFor(env: ChatroomTestEnv, userId: string): Promise<string> {
  const res = await env.api.post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: 'http://example.com/p.png' });
  if (res.status !== 200) throw new Error(`getToken failed: ${res.text}`);
  return res.body.token;
}

export async function connectUser(env: ChatroomTestEnv, userId: string, sdkVer = '2.9.2'): Promise<RawClient> {
  const client = await connectRaw({ url: env.url, appKey: env.appKey, token: await tokenFor(env, userId), sdkVer });
  if (client.connack.status !== 0) throw new Error(`connect ${userId}: CONNACK ${client.connack.status}`);
  env.clients.push(client);
  return client;
}

export function up(objectName: string, content: unknown, flags = 3): Uint8Array {
  return encodeByName('UpStreamMessage', { sessionId: flags, classname: objectName, content: utf8(JSON.stringify(content)) });
}

export async function join(client: RawClient, roomId: string, topic: 'joinChrm' | 'joinChrmR' = 'joinChrm'): Promise<QueryAckFrame> {
  return client.query(topic, roomId, encodeByName('ChrmInput', { nothing: 1 }));
}

/** Joins and returns the join time; throws on a non-zero status. */
export async function joinOk(client: RawClient, roomId: string, topic: 'joinChrm' | 'joinChrmR' = 'joinChrm'): Promise<number> {
  const ack = await join(client, roomId, topic);
  if (ack.status !== 0) throw new Error(`${topic} ${roomId}: status ${ack.status}`);
  return Number(decodeByName('ChrmOutput', ack.payload).joinTime ?? 0);
}

export async function quit(client: RawClient, roomId: string): Promise<QueryAckFrame> {
  return client.query('exitChrm', roomId, encodeByName('ChrmInput', { nothing: 1 }));
}

export async function send(client: RawClient, roomId: string, objectName: string, content: unknown, flags = 3) {
  return client.publish('chatMsg', roomId, up(objectName, content, flags));
}

export interface RoomPage {
  readonly status: number;
  readonly list: ReturnType<typeof decodeByName<'DownStreamMessages'>>['list'];
  readonly syncTime: number;
  readonly finished: boolean | null | undefined;
}

export async function pull(client: RawClient, roomId: string, syncTime: number, count: number): Promise<RoomPage> {
  const ack = await client.query('chrmPull', roomId, encodeByName('ChrmPullMsg', { syncTime, count }));
  if (ack.status !== 0) return { status: ack.status, list: [], syncTime: 0, finished: undefined };
  const out = decodeByName('DownStreamMessages', ack.payload);
  // Absent on the wire decodes to the prototype default (false): report it as undefined, the way E4 sees it.
  const finished = Object.prototype.hasOwnProperty.call(out, 'finished') ? out.finished : undefined;
  return { status: 0, list: out.list, syncTime: Number(out.syncTime), finished };
}

/** Pulls from `cursor` until a complete page, as E4 does; returns every message and the final cursor. */
export async function drain(client: RawClient, roomId: string, cursor: number, maxPages = 50): Promise<{ list: RoomPage['list']; cursor: number }> {
  const list: RoomPage['list'] = [];
  let next = cursor;
  for (let i = 0; i < maxPages; i++) {
    const page = await pull(client, roomId, next, 10);
    if (page.status !== 0) throw new Error(`chrmPull ${roomId}: status ${page.status}`);
    list.push(...page.list);
    next = Math.max(next, page.syncTime);
    if (page.finished !== false) return { list, cursor: next };
  }
  throw new Error('chrmPull did not finish');
}

export const isPush = (topic: string) => (f: { kind: string }): boolean => f.kind === 'publish' && (f as PublishFrame).topic === topic;

/** The next `s_ntf` type 2 for `roomId`. */
export async function roomNotify(client: RawClient, roomId: string, timeoutMs = 5000): Promise<{ time: number }> {
  const frame = await client.nextFrame<PublishFrame>((f) => {
    if (!isPush('s_ntf')(f)) return false;
    const n = decodeByName('NotifyMsg', (f as PublishFrame).payload);
    return n.type === 2 && n.chrmId === roomId;
  }, timeoutMs);
  return { time: Number(decodeByName('NotifyMsg', frame.payload).time) };
}

/** The next `s_cmd` of `type` for `roomId` (with a time after `after`, when given). */
export async function roomCommand(client: RawClient, roomId: string, type: number, timeoutMs = 5000, after = -1): Promise<{ time: number }> {
  const frame = await client.nextFrame<PublishFrame>((f) => {
    if (!isPush('s_cmd')(f)) return false;
    const n = decodeByName('NotifyMsg', (f as PublishFrame).payload);
    return n.type === type && n.chrmId === roomId && Number(n.time) > after;
  }, timeoutMs);
  return { time: Number(decodeByName('NotifyMsg', frame.payload).time) };
}

export async function info(client: RawClient, roomId: string, count: number, order: number) {
  const ack = await client.query('queryChrmI', roomId, encodeByName('QueryChatRoomInfoInput', { count, order }));
  return { status: ack.status, output: ack.status === 0 ? decodeByName('QueryChatRoomInfoOutput', ack.payload) : undefined };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 20 ms until it returns true (bounded). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}
