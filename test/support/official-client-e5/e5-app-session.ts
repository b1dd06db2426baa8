/**
 * Scaffolding of the app-level suites that drive one official imlib-next version against one server per file
 * (test/interop/e5-{conversations,messaging,history,chatroom,sync}-5-*.test.ts): the server and its apps, pages of
 * that version connected as a given user, the Server API, our SDK, and the helpers every such suite uses. The
 * scenarios stay in the suites: what each version makes of the same answer differs.
 */
import { sdkUser } from '../../e2e/sdk-api-support';
import type { SdkUser } from '../../e2e/sdk-api-support';
import { serverApi } from '../server-api-client';
import type { ServerApiClient, ServerApiResponse } from '../server-api-client';
import type { TestApp } from '../server-launcher';
import { DEFAULT_TEST_APP } from '../server-launcher';
import { MULTI_DEVICE_APP, useInteropServer } from '../official-client/interop-fixture';
import type { InteropServer } from '../official-client/interop-fixture';
import { killAllE5Clients, launchE5Client } from './launch-e5-client';
import type { E5Client, E5Message, E5Version } from './launch-e5-client';

export const PRIVATE = 1;
export const GROUP = 3;
export const CHATROOM = 4;
export const SYSTEM = 6;

export const textOf = (m: E5Message): unknown => m.content.content;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until `accept` holds (bounded), then returns the last value seen. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last) && Date.now() < deadline) {
    await sleep(250);
    last = await probe();
  }
  return last;
}

/** What imlib-next answers for a conversation (the fields the suites read). */
export interface E5Conversation {
  readonly conversationType: number;
  readonly targetId: string;
  readonly isTop?: boolean;
  readonly isTopInTag?: boolean;
  readonly notificationLevel?: number;
  readonly notificationStatus?: number;
  readonly unreadMessageCount?: number;
  readonly latestMessage?: { readonly messageUId?: string; readonly sentTime?: number; readonly content?: Record<string, unknown> } | null;
}

/** A remote history page (`getRemoteHistoryMessages`, `getChatroomHistoryMessages`). */
export interface E5HistoryPage {
  readonly list: E5Message[];
  readonly hasMore: boolean;
}

export interface E5AppSession {
  readonly fixture: InteropServer;
  /** The Server API of `app` (the session's app by default). */
  api(app?: TestApp): ServerApiClient;
  /** A stored RC:TxtMsg from `from` to `to` through the Server API. */
  publish(from: string, to: string, text: string, app?: TestApp): Promise<ServerApiResponse>;
  /** A page of the session's version connected as `userId`; throws with its log when the connect fails. */
  launch(label: string, userId: string, app?: TestApp): Promise<E5Client>;
  /** Our SDK connected as a new user (or `userId`), disconnected after the file. */
  ours(name: string, options?: { readonly app?: TestApp; readonly userId?: string }): Promise<SdkUser>;
  /** The page logged no decode failure and no unhandled error. */
  expectClean(client: E5Client): void;
  /** New users alice and bob, with two pages of alice (two devices of one user) and one of bob, on the session's app. */
  launchAliceTwiceAndBob(): Promise<AliceTwiceAndBob>;
}

export interface AliceTwiceAndBob {
  readonly aliceId: string;
  readonly bobId: string;
  readonly alice1: E5Client;
  readonly alice2: E5Client;
  readonly bob: E5Client;
}

/**
 * One server for the file with `apps` (DEFAULT_TEST_APP and MULTI_DEVICE_APP by default), pages of `version` on
 * `app` (MULTI_DEVICE_APP by default: several pages of one user), every child and SDK session ended after the file.
 */
export function useE5AppSession(version: E5Version, options: { readonly app?: TestApp; readonly apps?: readonly TestApp[] } = {}): E5AppSession {
  const defaultApp = options.app ?? MULTI_DEVICE_APP;
  const fixture = useInteropServer(options.apps ?? [DEFAULT_TEST_APP, MULTI_DEVICE_APP]);
  const live: SdkUser[] = [];
  afterAll(async () => {
    await killAllE5Clients();
    await Promise.all(live.splice(0).map((u) => u.im.disconnect()));
  });
  const api = (app = defaultApp): ServerApiClient => serverApi(fixture.server.url, app.key, app.secret);
  const launch = async (label: string, userId: string, app = defaultApp): Promise<E5Client> => {
    const client = await launchE5Client({ version, appKey: app.key, navi: fixture.server.url, label });
    const result = await client.connect(await fixture.tokenFor(userId, app));
    if (result.code !== 0) throw new Error(`${label} connect ${JSON.stringify(result)}\n${client.logs().slice(-3000)}`);
    return client;
  };
  return {
    fixture,
    api,
    publish: (from, to, text, app = defaultApp) =>
      api(app).post('/message/private/publish.json', { fromUserId: from, toUserId: to, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: text }) }),
    launch,
    ours: async (name, { app = defaultApp, userId } = {}) => {
      const user = await sdkUser(fixture.server, app, name, userId === undefined ? {} : { userId });
      live.push(user);
      await user.connect();
      return user;
    },
    expectClean: (client) => {
      expect(client.logs()).not.toMatch(/pb decode error|Missing at least one required field|unhandled|uncaught/);
    },
    launchAliceTwiceAndBob: async () => {
      const aliceId = fixture.newUserId('alice');
      const bobId = fixture.newUserId('bob');
      const alice1 = await launch('alice1', aliceId);
      const alice2 = await launch('alice2', aliceId);
      return { aliceId, bobId, alice1, alice2, bob: await launch('bob', bobId) };
    },
  };
}
